import { CLUSTER_LABELS, brokerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** Partitions below min.insync.replicas: acks=all producers get NotEnoughReplicas errors. */
export function underMinIsrAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-under-min-isr",
    alerts: [
      {
        alert: "KafkaUnderMinIsrPartitions",
        severity: "critical",
        expr: `sum by (${CLUSTER_LABELS}) (kafka_server_replicamanager_underminisrpartitioncount{${brokerMatchers(ctx)}}) > 0`,
        for: "1m",
        summary: "Kafka partitions are below min.insync.replicas and reject acks=all writes.",
        description:
          "Cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} has {{ $value }} partitions under their minimum in-sync replicas.",
      },
    ],
  };
}
