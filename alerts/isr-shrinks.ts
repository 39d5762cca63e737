import { NODE_LABELS, brokerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** ISR shrinks per minute, per broker. */
export const ISR_SHRINKS_PER_MINUTE_WARNING = 1;
export const ISR_SHRINKS_PER_MINUTE_CRITICAL = 5;

/** A broker keeps dropping followers from its partitions' ISRs: replication is flapping. */
export function isrShrinkAlerts(ctx: AlertContext): AlertGroup {
  const perMinute = `sum by (${NODE_LABELS}) (rate(kafka_server_replicamanager_isrshrinks_total{${brokerMatchers(ctx)}}[5m])) * 60`;
  const description = (threshold: number): string =>
    `Broker {{ $labels.pod }} (pool {{ $labels.strimzi_io_pool_name }}) of cluster {{ $labels.strimzi_io_cluster }} shrinks ISRs {{ printf "%.1f" $value }} times per minute (threshold ${threshold}).`;
  return {
    name: "kafka-isr-shrinks",
    alerts: [
      {
        alert: "KafkaIsrShrinkRateHigh",
        severity: "warning",
        expr: `${perMinute} > ${ISR_SHRINKS_PER_MINUTE_WARNING}`,
        for: "5m",
        summary: "A Kafka broker keeps shrinking in-sync replica sets.",
        description: description(ISR_SHRINKS_PER_MINUTE_WARNING),
      },
      {
        alert: "KafkaIsrShrinkRateHigh",
        severity: "critical",
        expr: `${perMinute} > ${ISR_SHRINKS_PER_MINUTE_CRITICAL}`,
        for: "5m",
        summary: "A Kafka broker keeps shrinking in-sync replica sets.",
        description: description(ISR_SHRINKS_PER_MINUTE_CRITICAL),
      },
    ],
  };
}
