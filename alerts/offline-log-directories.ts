import { NODE_LABELS, brokerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** A broker lost a log directory (disk error): its replicas there are offline. */
export function offlineLogDirectoryAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-offline-log-directories",
    alerts: [
      {
        alert: "KafkaOfflineLogDirectories",
        severity: "critical",
        expr: `max by (${NODE_LABELS}) (kafka_log_logmanager_offlinelogdirectorycount{${brokerMatchers(ctx)}}) > 0`,
        for: "1m",
        summary: "A Kafka broker has offline log directories.",
        description:
          "Broker {{ $labels.pod }} (pool {{ $labels.strimzi_io_pool_name }}) of cluster {{ $labels.strimzi_io_cluster }} has {{ $value }} offline log directories.",
      },
    ],
  };
}
