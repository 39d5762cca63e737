import { CLUSTER_LABELS, brokerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

export const UNDER_REPLICATED_WARNING = 0;
export const UNDER_REPLICATED_CRITICAL = 5;

/** Partitions whose ISR is smaller than their replica set; each leader counts its own, so the sum is the cluster's count. */
export function underReplicatedPartitionsAlerts(ctx: AlertContext): AlertGroup {
  const urp = `sum by (${CLUSTER_LABELS}) (kafka_server_replicamanager_underreplicatedpartitions{${brokerMatchers(ctx)}})`;
  const description = (threshold: number): string =>
    `Cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} has {{ $value }} under-replicated partitions (threshold ${threshold}).`;
  return {
    name: "kafka-under-replicated-partitions",
    alerts: [
      {
        alert: "KafkaUnderReplicatedPartitions",
        severity: "warning",
        expr: `${urp} > ${UNDER_REPLICATED_WARNING}`,
        for: "2m",
        summary: "Kafka partitions are under-replicated.",
        description: description(UNDER_REPLICATED_WARNING),
      },
      {
        alert: "KafkaUnderReplicatedPartitions",
        severity: "critical",
        expr: `${urp} > ${UNDER_REPLICATED_CRITICAL}`,
        for: "2m",
        summary: "Kafka partitions are under-replicated.",
        description: description(UNDER_REPLICATED_CRITICAL),
      },
    ],
  };
}
