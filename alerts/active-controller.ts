import { CLUSTER_LABELS, controllerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** Exactly one KRaft controller must be active: zero means no metadata changes, more than one a split brain. */
export function activeControllerAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-active-controller",
    alerts: [
      {
        alert: "KafkaActiveControllerCountNotOne",
        severity: "critical",
        expr: `sum by (${CLUSTER_LABELS}) (kafka_controller_kafkacontroller_activecontrollercount{${controllerMatchers(ctx)}}) != 1`,
        for: "1m",
        summary: "The KRaft quorum does not have exactly one active controller.",
        description:
          "Cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} reports {{ $value }} active controllers instead of 1.",
      },
    ],
  };
}
