import { stringify } from "yaml";
import type { PlatformModel } from "../charts/model.ts";
import { renderStack, type K8sObject } from "../charts/index.ts";

/**
 * The plain `groups:` rule file promtool and a bare Prometheus read, taken from the rendered
 * PrometheusRule object itself (so what is tested is exactly what is deployed).
 */
export function ruleFileFromPrometheusRule(rule: K8sObject): string {
  if (rule.kind !== "PrometheusRule") {
    throw new Error(`expected a PrometheusRule, got ${rule.kind} ${rule.metadata.name}`);
  }
  const spec = rule.spec as { groups?: unknown } | undefined;
  if (!spec || !Array.isArray(spec.groups)) {
    throw new Error(`PrometheusRule ${rule.metadata.name} has no spec.groups`);
  }
  return stringify({ groups: spec.groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The stack's PrometheusRule, as `renderStack` renders it. */
export function renderedPrometheusRule(model: PlatformModel): K8sObject {
  const rule = renderStack(model)
    .flatMap((c) => c.objects)
    .find((o) => o.kind === "PrometheusRule");
  if (!rule) {
    throw new Error(
      `stack ${model.stack} renders no PrometheusRule (is monitoring.enabled false in ${model.file}?)`,
    );
  }
  return rule;
}
