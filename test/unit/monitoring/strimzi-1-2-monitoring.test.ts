import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../../infra/config/load.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";

/**
 * Issue 14, item 6: monitoring that works on Strimzi 1.2. Expected names are Strimzi's and
 * kube-state-metrics', written out here.
 */
describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  const { objects, model } = rendered;
  const cluster = model.config.cluster.name;
  const kafka = ofKind(objects, "Kafka")[0];

  it("scrapes the entity operator on healthcheck-to and healthcheck-uo (renamed in Strimzi 1.1)", () => {
    const pm = ofKind(objects, "PodMonitor").find(
      (p) => p.metadata.name === `${cluster}-entity-operator`,
    );
    const ports = (field(pm, "spec", "podMetricsEndpoints") as { port: string }[]).map(
      (e) => e.port,
    );
    expect(ports).toEqual(["healthcheck-to", "healthcheck-uo"]);
  });

  it("configures kube-state-metrics for the readiness of Kafka, KafkaNodePool, KafkaTopic, KafkaUser", () => {
    const cm = ofKind(objects, "ConfigMap").find(
      (c) => c.metadata.name === `${cluster}-strimzi-kube-state-metrics`,
    );
    expect(cm?.metadata.namespace).toBe(model.config.monitoring.prometheusNamespace);
    const config = parse(String(field(cm, "data", "config.yaml"))) as {
      kind: string;
      spec: {
        resources: {
          groupVersionKind: { group: string; version: string; kind: string };
          metricNamePrefix: string;
          metrics: { name: string; labelsFromPath: Record<string, string[]> }[];
        }[];
      };
    };
    expect(config.kind).toBe("CustomResourceStateMetrics");
    expect(config.spec.resources.map((r) => [r.groupVersionKind, r.metricNamePrefix])).toEqual([
      [{ group: "kafka.strimzi.io", version: "v1", kind: "Kafka" }, "strimzi_kafka"],
      [
        { group: "kafka.strimzi.io", version: "v1", kind: "KafkaNodePool" },
        "strimzi_kafka_node_pool",
      ],
      [{ group: "kafka.strimzi.io", version: "v1", kind: "KafkaTopic" }, "strimzi_kafka_topic"],
      [{ group: "kafka.strimzi.io", version: "v1", kind: "KafkaUser" }, "strimzi_kafka_user"],
    ]);
    for (const r of config.spec.resources) {
      expect(r.metrics[0]?.labelsFromPath["ready"]).toEqual([
        "status",
        "conditions",
        "[type=Ready]",
        "status",
      ]);
    }
    // The alert reads exactly those series; strimzi_resource_state is gone in Strimzi 1.2.
    const rule = ofKind(objects, "PrometheusRule")[0];
    const text = JSON.stringify(rule);
    expect(text).toContain(
      "strimzi_kafka_resource_info|strimzi_kafka_node_pool_resource_info|strimzi_kafka_topic_resource_info|strimzi_kafka_user_resource_info",
    );
    expect(text).not.toContain("strimzi_resource_state");
  });

  it("gives the entity operator, Cruise Control and the Kafka Exporter resource requests", () => {
    const requests = (...path: string[]): unknown =>
      field(kafka, "spec", ...path, "resources", "requests");
    for (const path of [
      ["entityOperator", "topicOperator"],
      ["entityOperator", "userOperator"],
      ["kafkaExporter"],
      ...(model.config.cluster.cruiseControl ? [["cruiseControl"]] : []),
    ]) {
      const r = requests(...path) as Record<string, string> | undefined;
      expect(Object.keys(r ?? {}).sort(), path.join(".")).toEqual(["cpu", "memory"]);
      expect(
        field(kafka, "spec", ...path, "resources", "limits", "memory"),
        path.join("."),
      ).toBeDefined();
    }
  });

  it("sets no replica.selector.class: the client module sends no client.rack", () => {
    expect(field(kafka, "spec", "kafka", "config", "replica.selector.class")).toBeUndefined();
  });

  it("counts group members without kafka_consumergroup_members (0 for KIP-848 groups)", () => {
    const dashboards = ofKind(objects, "ConfigMap").filter((c) =>
      c.metadata.name.startsWith("grafana-dashboard-"),
    );
    const exprs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          if (k === "expr" && typeof v === "string") exprs.push(v);
          else walk(v);
        }
      }
    };
    for (const d of dashboards) {
      for (const v of Object.values((d["data"] ?? {}) as Record<string, string>))
        walk(JSON.parse(v));
    }
    expect(exprs.length).toBeGreaterThan(0);
    expect(exprs.filter((e) => e.includes("kafka_consumergroup_members"))).toEqual([]);
    expect(exprs).toContainEqual(
      expect.stringContaining(
        "count by (group) (count by (group, instance) (kafka_client_consume_lag",
      ),
    );
  });
});

describe("the client module and follower fetching", () => {
  it("does not send client.rack, so a rack-aware replica selector would do nothing", () => {
    const files = readdirSync(join(REPO_ROOT, "client"), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith(".ts") && !f.parentPath.includes("node_modules"))
      .map((f) => join(f.parentPath, f.name));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(readFileSync(f, "utf8"), f).not.toMatch(/client\.rack|clientRack|rackId/);
    }
  });
});
