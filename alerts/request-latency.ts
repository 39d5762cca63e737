import { NODE_LABELS, brokerMatchers } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

export const REQUEST_P99_MS_WARNING = 100;
export const REQUEST_P99_MS_CRITICAL = 500;

/**
 * p99 time a broker takes to serve Produce and Fetch requests.
 *
 * Produce: TotalTimeMs (with acks=all it includes waiting for the followers, which is real latency).
 * Fetch: TotalTimeMs is dominated by the deliberate long-poll wait in purgatory (fetch.max.wait.ms,
 * replica.fetch.wait.max.ms, 500 ms by default), so it would sit at ~500 ms on an idle, healthy
 * cluster. The alert therefore adds up the p99 of the phases the broker actually works in
 * (request queue, local, response queue, response send) and leaves the purgatory wait out.
 * A sum of p99s is an upper bound of the p99 of the sum, so this errs on the side of alerting.
 */
export function fetchServiceTimeP99(matchers: string): string {
  const phase = (name: string): string =>
    `kafka_network_requestmetrics_${name}{${matchers}, request="Fetch", quantile="0.99"}`;
  return [
    phase("requestqueuetimems"),
    phase("localtimems"),
    phase("responsequeuetimems"),
    phase("responsesendtimems"),
  ].join(" + ");
}

export function requestLatencyAlerts(ctx: AlertContext): AlertGroup {
  const b = brokerMatchers(ctx);
  const p99 =
    `max by (${NODE_LABELS}, request) (` +
    `kafka_network_requestmetrics_totaltimems{${b}, request="Produce", quantile="0.99"}` +
    ` or (${fetchServiceTimeP99(b)}))`;
  const description = (threshold: number): string =>
    `{{ $labels.request }} requests on broker {{ $labels.pod }} of cluster {{ $labels.strimzi_io_cluster }} take {{ printf "%.0f" $value }} ms at p99 (threshold ${threshold} ms).`;
  return {
    name: "kafka-request-latency",
    alerts: [
      {
        alert: "KafkaRequestLatencyHigh",
        severity: "warning",
        expr: `${p99} > ${REQUEST_P99_MS_WARNING}`,
        for: "5m",
        summary: "Kafka Produce or Fetch requests are slow at the 99th percentile.",
        description: description(REQUEST_P99_MS_WARNING),
      },
      {
        alert: "KafkaRequestLatencyHigh",
        severity: "critical",
        expr: `${p99} > ${REQUEST_P99_MS_CRITICAL}`,
        for: "5m",
        summary: "Kafka Produce or Fetch requests are slow at the 99th percentile.",
        description: description(REQUEST_P99_MS_CRITICAL),
      },
    ],
  };
}
