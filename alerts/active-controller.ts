import { CLUSTER_LABELS, controllerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/**
 * Exactly one KRaft controller must be active: zero means no metadata changes, more than one a
 * split brain. The count is only meaningful while every controller is scraped: a failed scrape
 * of the active controller would read as 0. So the alert holds only when all controller targets
 * are up; a controller that cannot be scraped is KafkaControllerDown's concern.
 */
export function activeControllerAlerts(ctx: AlertContext): AlertGroup {
  const k = controllerMatchers(ctx);
  return {
    name: "kafka-active-controller",
    alerts: [
      {
        alert: "KafkaActiveControllerCountNotOne",
        severity: "critical",
        expr:
          `sum by (${CLUSTER_LABELS}) (kafka_controller_kafkacontroller_activecontrollercount{${k}}) != 1` +
          ` and on (${CLUSTER_LABELS}) count by (${CLUSTER_LABELS}) (up{${k}} == 1) == ${ctx.controllerReplicas}`,
        for: "1m",
        summary: "The KRaft quorum does not have exactly one active controller.",
        description:
          "Cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} reports {{ $value }} active controllers instead of 1.",
      },
    ],
  };
}
