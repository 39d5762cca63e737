import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type K8sObject, renderStack } from "../../../charts/index.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { REPO_ROOT, listStacks, loadStack } from "../../../infra/config/load.ts";
import { validationErrors } from "../../../charts/crd-schema-validator.ts";

type Rule = {
  alert?: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

function monitoringObjects(stack: string): K8sObject[] {
  return renderStack(buildPlatformModel(loadStack(stack)))
    .filter((c) => c.name === "monitoring")
    .flatMap((c) => c.objects);
}

function rulesOf(objects: K8sObject[]): Rule[] {
  const rule = objects.find((o) => o.kind === "PrometheusRule");
  if (!rule) throw new Error("no PrometheusRule rendered");
  // Alerting rules only; the recording rules (record, expr) are checked by promtool.
  return (rule.spec as { groups: { rules: Rule[] }[] }).groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert !== undefined);
}

const stacks = listStacks();

describe.each(stacks)("monitoring objects of stack %s", (stack) => {
  const objects = monitoringObjects(stack);
  const config = loadStack(stack).config;
  // MirrorMaker runs only where the stack receives (active-active, or the passive region).
  const receives = config.mirrorMaker.enabled && config.mirrorMaker.role !== "active";

  it("validate against the real prometheus-operator CRDs", () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(validationErrors(objects, { allowCoreKinds: false })).toEqual([]);
  });

  it("carry the stack's Prometheus selector labels", () => {
    for (const o of objects) {
      for (const [k, v] of Object.entries(config.monitoring.prometheusSelector)) {
        expect(o.metadata.labels?.[k], `${o.kind} ${o.metadata.name}`).toBe(v);
      }
    }
  });

  it("monitor brokers, controllers, the Kafka Exporter and both operators by Strimzi labels", () => {
    const selectors = objects
      .filter((o) => o.kind === "PodMonitor")
      .map(
        (o) =>
          (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
      );
    const has = (labels: Record<string, string>): boolean =>
      selectors.some((s) => Object.entries(labels).every(([k, v]) => s[k] === v));
    const cluster = config.cluster.name;
    expect(has({ "strimzi.io/cluster": cluster, "strimzi.io/broker-role": "true" })).toBe(true);
    expect(has({ "strimzi.io/cluster": cluster, "strimzi.io/controller-role": "true" })).toBe(true);
    expect(has({ "strimzi.io/name": `${cluster}-kafka-exporter` })).toBe(true);
    expect(has({ "strimzi.io/name": `${cluster}-entity-operator` })).toBe(true);
    expect(has({ "strimzi.io/kind": "cluster-operator" })).toBe(true);
    // MirrorMaker runs only where the stack receives (decision 0013).
    expect(has({ "strimzi.io/kind": "KafkaMirrorMaker2" })).toBe(receives);
  });

  it("every alert follows the conventions and has a runbook with the four sections", () => {
    const rules = rulesOf(objects);
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) {
      expect(["critical", "warning", "info"]).toContain(r.labels.severity);
      expect(Object.keys(r.annotations).sort()).toEqual(["description", "runbook_url", "summary"]);
      expect(r.annotations.summary, r.alert).not.toContain("{{");
      expect(r.annotations.description, r.alert).toContain("{{");
      expect(r.annotations.runbook_url).toMatch(new RegExp(`/docs/runbooks/${r.alert}\\.md$`));
      const runbook = `${REPO_ROOT}docs/runbooks/${r.alert}.md`;
      expect(existsSync(runbook), runbook).toBe(true);
      const text = readFileSync(runbook, "utf8");
      expect(text.startsWith(`# ${r.alert}\n`), runbook).toBe(true);
      for (const section of ["Meaning", "Impact", "Diagnosis", "Mitigation"]) {
        expect(text, `${runbook} lacks ## ${section}`).toContain(`\n## ${section}\n`);
      }
    }
  });

  it("select pods by Strimzi labels, never by pod-name patterns", () => {
    for (const r of rulesOf(objects)) {
      expect(r.expr, r.alert).not.toMatch(/pod=~|pod_name|container=~|-kafka-\[0-9\]/);
    }
  });

  it("the seed's consumer groups are the catalog's, and MirrorMaker alerts only where it runs", () => {
    const rules = rulesOf(objects);
    const rule = objects.find((o) => o.kind === "PrometheusRule");
    const record = (
      rule?.spec as { groups: { rules: { record?: string; expr: string }[] }[] }
    ).groups
      .flatMap((g) => g.rules)
      .find((r) => r.record === "kafka_platform:consumergroup_lag:sum");
    // socket-service reads per instance (broadcast groups commit nothing, so have no lag here).
    expect(record?.expr).toContain(
      'consumergroup=~"analytics-service|audit-service|auth-service|message-processor|notification-service|search-indexer"',
    );
    expect(rules.some((r) => r.alert === "KafkaMirrorMaker2Down")).toBe(receives);
  });
});
