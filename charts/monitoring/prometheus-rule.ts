import type { Construct } from "constructs";
import { alertContextFromModel, alertGroups, renderRuleGroups } from "../../alerts/index.ts";
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
} from "../imports/monitoring.coreos.com.ts";
import { platformLabels } from "../labels.ts";
import type { PlatformModel } from "../model.ts";

export function prometheusRuleName(model: PlatformModel): string {
  return `${model.config.cluster.name}-kafka-alerts`;
}

/** The stack's alerts as one PrometheusRule in the Kafka namespace, labelled for the Prometheus that should load it. */
export function addPrometheusRule(scope: Construct, model: PlatformModel): PrometheusRule {
  const groups = renderRuleGroups(alertGroups(alertContextFromModel(model)));
  return new PrometheusRule(scope, "prometheus-rule", {
    metadata: {
      name: prometheusRuleName(model),
      namespace: model.config.kubernetes.namespace,
      labels: { ...platformLabels(model), ...model.config.monitoring.prometheusSelector },
    },
    spec: {
      groups: groups.map((g) => ({
        name: g.name,
        rules: g.rules.map((r) =>
          "record" in r
            ? { record: r.record, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) }
            : {
                alert: r.alert,
                expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
                for: r.for,
                labels: { ...r.labels },
                annotations: { ...r.annotations },
              },
        ),
      })),
    },
  });
}
