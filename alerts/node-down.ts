import { CLUSTER_LABELS, brokerMatchers, controllerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/**
 * How many targets of a role are up, per cluster: counts `up` of the pods the PodMonitor
 * finds by Strimzi's role label. A pod that is gone has no target, so the sum (not a search
 * for `up == 0`) catches it too, and `absent` turns "no target at all" into a 0.
 */
export function upTargets(matchers: string): string {
  return (
    `(sum by (${CLUSTER_LABELS}) (up{${matchers}})` +
    ` or sum by (${CLUSTER_LABELS}) (0 * absent(up{${matchers}})))`
  );
}

export function nodeDownAlerts(ctx: AlertContext): AlertGroup {
  return {
    name: "kafka-nodes-down",
    alerts: [
      {
        alert: "KafkaBrokerDown",
        severity: "critical",
        expr: `${upTargets(brokerMatchers(ctx))} < ${ctx.brokerReplicas}`,
        for: "3m",
        summary: "Kafka brokers are down.",
        description: `Only {{ $value }} of ${ctx.brokerReplicas} brokers of cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} are up.`,
      },
      {
        alert: "KafkaControllerDown",
        severity: "critical",
        expr: `${upTargets(controllerMatchers(ctx))} < ${ctx.controllerReplicas}`,
        for: "3m",
        summary: "KRaft controllers are down.",
        description: `Only {{ $value }} of ${ctx.controllerReplicas} KRaft controllers of cluster {{ $labels.strimzi_io_cluster }} in {{ $labels.namespace }} are up.`,
      },
    ],
  };
}
