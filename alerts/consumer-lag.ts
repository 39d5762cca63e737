import { CLUSTER_LABELS, clusterMatchers, promRegexLiteral } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

export const CONSUMER_LAG_WARNING = 10_000;
export const CONSUMER_LAG_CRITICAL = 100_000;

/**
 * Total lag of each catalog consumer group (Kafka Exporter's kafka_consumergroup_lag, summed
 * over topics and partitions). The exporter reports -1 for a partition the group has never
 * committed an offset on; those samples are dropped (`>= 0`) so they neither hide nor fake lag.
 */
export function consumerLagAlerts(ctx: AlertContext): AlertGroup {
  if (ctx.consumerGroups.length === 0) return { name: "kafka-consumer-lag", alerts: [] };
  const groups = ctx.consumerGroups.map(promRegexLiteral).join("|");
  const lag = `kafka_consumergroup_lag{${clusterMatchers(ctx)}, consumergroup=~"${groups}"}`;
  const expr = (threshold: number): string =>
    `sum by (${CLUSTER_LABELS}, consumergroup) (${lag} >= 0) > ${threshold}`;
  const description = (threshold: number): string =>
    `Consumer group {{ $labels.consumergroup }} of cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} is {{ $value }} messages behind (threshold ${threshold}).`;
  return {
    name: "kafka-consumer-lag",
    alerts: [
      {
        alert: "KafkaConsumerGroupLagHigh",
        severity: "warning",
        expr: expr(CONSUMER_LAG_WARNING),
        for: "10m",
        summary: "A catalog consumer group is falling behind its topics.",
        description: description(CONSUMER_LAG_WARNING),
      },
      {
        alert: "KafkaConsumerGroupLagHigh",
        severity: "critical",
        expr: expr(CONSUMER_LAG_CRITICAL),
        for: "5m",
        summary: "A catalog consumer group is falling behind its topics.",
        description: description(CONSUMER_LAG_CRITICAL),
      },
    ],
  };
}
