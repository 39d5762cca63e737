import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type K8sObject, renderStack } from "../../../charts/index.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { listStacks, loadStack } from "../../../infra/config/load.ts";
import { dashboardQueries, dashboardSpecs } from "../../../dashboards/index.ts";
import { errorsOf, grafanaValidator } from "./grafana-schemas.ts";
import { checkRules } from "./promtool.ts";

interface Panel {
  type: string;
  title: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  targets?: { expr?: string }[];
}

function dashboardsOf(stack: string): { cm: K8sObject; json: { panels: Panel[] } & object }[] {
  return renderStack(buildPlatformModel(loadStack(stack)))
    .filter((c) => c.name === "dashboards")
    .flatMap((c) => c.objects)
    .map((cm) => {
      const data = cm.data as Record<string, string>;
      const [text] = Object.values(data);
      return { cm, json: JSON.parse(text!) as { panels: Panel[] } };
    });
}

describe.each(listStacks())("dashboards of stack %s", (stack) => {
  const rendered = dashboardsOf(stack);
  const config = loadStack(stack).config;

  it("are ConfigMaps for Grafana's sidecar in the Grafana namespace", () => {
    expect(rendered.map((d) => d.cm.metadata.name).sort()).toEqual([
      "grafana-dashboard-kp-chat-kafka-clients",
      "grafana-dashboard-kp-chat-kafka-consumer-lag",
      "grafana-dashboard-kp-chat-kafka-kraft",
      "grafana-dashboard-kp-chat-kafka-overview",
      "grafana-dashboard-kp-chat-kafka-topics",
    ]);
    for (const { cm } of rendered) {
      expect(cm.kind).toBe("ConfigMap");
      expect(cm.metadata.namespace).toBe(config.monitoring.grafanaNamespace);
      expect(cm.metadata.labels?.grafana_dashboard).toBe("1");
    }
  });

  it("validate against Grafana's dashboard, panel and query JSON Schemas", () => {
    const dashboard = grafanaValidator("dashboard");
    const query = grafanaValidator("prometheus");
    const options = {
      stat: grafanaValidator("stat", "Options"),
      timeseries: grafanaValidator("timeseries", "Options"),
    };
    const fieldConfig = grafanaValidator("timeseries", "FieldConfig");
    const errors: string[] = [];
    for (const { cm, json } of rendered) {
      const where = cm.metadata.name;
      errors.push(...errorsOf(dashboard, json, where));
      for (const p of json.panels) {
        if (p.type === "row") continue;
        const kind = p.type as "stat" | "timeseries";
        expect(["stat", "timeseries"], `${where} ${p.title}`).toContain(kind);
        errors.push(...errorsOf(options[kind], p.options, `${where} ${p.title} options`));
        if (kind === "timeseries") {
          errors.push(
            ...errorsOf(
              fieldConfig,
              p.fieldConfig?.defaults?.custom,
              `${where} ${p.title} fieldConfig`,
            ),
          );
        }
        expect(p.targets?.length, `${where} ${p.title} has no query`).toBeGreaterThan(0);
        for (const t of p.targets ?? [])
          errors.push(...errorsOf(query, t, `${where} ${p.title} target`));
      }
    }
    expect(errors).toEqual([]);
  });

  it("every PromQL expression type-checks with promtool (as recording rules)", () => {
    const exprs = rendered.flatMap(({ json }) =>
      json.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? "")),
    );
    expect(exprs.length).toBeGreaterThan(30);
    const ruleFile = stringify({
      groups: [
        {
          name: "dashboard-queries",
          rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}:check`, expr })),
        },
      ],
    });
    const r = checkRules(ruleFile);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it("the rendered queries are exactly the specs' queries", () => {
    const fromSpecs = dashboardSpecs(buildPlatformModel(loadStack(stack)))
      .flatMap(dashboardQueries)
      .map((q) => q.expr)
      .sort();
    const fromJson = rendered
      .flatMap(({ json }) => json.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? "")))
      .sort();
    expect(fromJson).toEqual(fromSpecs);
  });

  it("the consumer-lag dashboard has one panel per catalog consumer group", () => {
    const lag = rendered.find((d) => d.cm.metadata.name.endsWith("consumer-lag"))!;
    const titles = lag.json.panels.map((p) => p.title).filter((t) => t.startsWith("Lag: "));
    expect(titles).toEqual([
      "Lag: analytics-service",
      "Lag: audit-service",
      "Lag: auth-service",
      "Lag: message-processor",
      "Lag: notification-service",
      "Lag: search-indexer",
    ]);
  });
});

describe("promtool catches a broken dashboard query", () => {
  it("rejects an expression with a syntax error", () => {
    const r = checkRules(
      stringify({
        groups: [{ name: "g", rules: [{ record: "x:y:z", expr: "sum by (pod (up)" }] }],
      }),
    );
    expect(r.ok).toBe(false);
  });
});
