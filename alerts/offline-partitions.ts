import { CLUSTER_LABELS, controllerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** Offline partitions: no leader, neither reads nor writes. Every controller reports the count, so take the max. */
export function offlinePartitionsAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-offline-partitions",
    alerts: [
      {
        alert: "KafkaOfflinePartitions",
        severity: "critical",
        expr: `max by (${CLUSTER_LABELS}) (kafka_controller_kafkacontroller_offlinepartitionscount{${controllerMatchers(ctx)}}) > 0`,
        for: "1m",
        summary: "Kafka partitions have no leader.",
        description:
          "Cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} has {{ $value }} offline partitions: producers and consumers of them are stuck.",
      },
    ],
  };
}
