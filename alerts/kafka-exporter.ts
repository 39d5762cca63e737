import { kafkaExporterMatchers } from "./selectors.ts";
import { upTargets } from "./node-down.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** Without the Kafka Exporter the consumer-lag alerts see nothing and stay silent. */
export function kafkaExporterAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-exporter",
    alerts: [
      {
        alert: "KafkaExporterDown",
        severity: "warning",
        expr: `${upTargets(kafkaExporterMatchers(ctx))} < 1`,
        for: "5m",
        summary: "Kafka Exporter is down: consumer lag is not monitored.",
        description:
          "The Kafka Exporter of cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} is not scraped; consumer-lag alerts cannot fire.",
      },
    ],
  };
}
