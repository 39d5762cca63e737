import { LAG_CRITICAL, LAG_TARGET, LAG_WARNING } from "../acl/lag-objectives.ts";
import { CLUSTER_LABELS, clusterMatchers, promRegexLiteral } from "./selectors.ts";
import type { AlertContext, AlertDefinition, AlertGroup } from "./types.ts";

/** The seed's defaults; groups may override them in acl/services.ts (`lag`). */
export const CONSUMER_LAG_TARGET = LAG_TARGET;
export const CONSUMER_LAG_WARNING = LAG_WARNING;
export const CONSUMER_LAG_CRITICAL = LAG_CRITICAL;

/** Total lag of each catalog consumer group, recorded once for the alerts and dashboards. */
export const LAG_SUM_RECORD = "kafka_platform:consumergroup_lag:sum";
/** 1 while a group's lag is above its target, 0 otherwise: averaged, the time spent above it. */
export const LAG_ABOVE_TARGET_RECORD = "kafka_platform:consumergroup_lag_above_target:bool";

/** Groups sharing a value of `pick`, as `value -> regex alternation of the groups`. */
function byValue(
  ctx: AlertContext,
  pick: (o: AlertContext["lagObjectives"][number]) => number,
): [number, string][] {
  const values = new Map<number, string[]>();
  for (const o of ctx.lagObjectives) values.set(pick(o), [...(values.get(pick(o)) ?? []), o.group]);
  return [...values.entries()]
    .sort(([a], [b]) => a - b)
    .map(([v, groups]) => [v, groups.map(promRegexLiteral).join("|")]);
}

/**
 * Total lag of each catalog consumer group (Kafka Exporter's kafka_consumergroup_lag, summed
 * over topics and partitions). The exporter reports -1 for a partition the group has never
 * committed an offset on; those samples are dropped (`>= 0`) so they neither hide nor fake lag.
 * Each group is held to its own target and thresholds (acl/lag-objectives.ts): one rule per
 * distinct threshold.
 */
export function consumerLagAlerts(ctx: AlertContext): AlertGroup {
  if (ctx.consumerGroups.length === 0) return { name: "kafka-consumer-lag", alerts: [] };
  const groups = ctx.consumerGroups.map(promRegexLiteral).join("|");
  const lag = `kafka_consumergroup_lag{${clusterMatchers(ctx)}, consumergroup=~"${groups}"}`;
  const summed = (selected: string): string =>
    `${LAG_SUM_RECORD}{${clusterMatchers(ctx)}, consumergroup=~"${selected}"}`;
  /**
   * One rule per severity (promtool refuses two with the same name and labels): a term per
   * distinct threshold, joined with `or`; the description names the group's own threshold.
   */
  const alert = (
    severity: "warning" | "critical",
    pick: (o: AlertContext["lagObjectives"][number]) => number,
    forDuration: string,
  ): AlertDefinition => {
    const levels = byValue(ctx, pick);
    const expr = levels
      .map(([threshold, selected]) => `(${summed(selected)} > ${threshold})`)
      .join(" or ");
    const fallback = levels.find(([, selected]) => selected.includes("|"))?.[0] ?? levels[0]![0];
    const threshold = levels
      .filter(([t]) => t !== fallback)
      .reduceRight(
        (rest, [t, selected]) =>
          `{{ if match "^(${selected})$" $labels.consumergroup }}${t}{{ else }}${rest}{{ end }}`,
        String(fallback),
      );
    return {
      alert: "KafkaConsumerGroupLagHigh",
      severity,
      expr: levels.length === 1 ? expr.slice(1, -1) : expr,
      for: forDuration,
      summary: "A catalog consumer group is falling behind its topics.",
      description: `Consumer group {{ $labels.consumergroup }} of cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} is {{ $value }} messages behind (threshold ${threshold}).`,
    };
  };
  const aboveTarget = byValue(ctx, (o) => o.target)
    .map(([target, selected]) => `(${summed(selected)} > bool ${target})`)
    .join(" or ");
  return {
    name: "kafka-consumer-lag",
    recordingRules: [
      { record: LAG_SUM_RECORD, expr: `sum by (${CLUSTER_LABELS}, consumergroup) (${lag} >= 0)` },
      { record: LAG_ABOVE_TARGET_RECORD, expr: aboveTarget },
    ],
    alerts: [alert("warning", (o) => o.warning, "10m"), alert("critical", (o) => o.critical, "5m")],
  };
}
