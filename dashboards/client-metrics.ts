import { CLIENT_METRICS } from "../client/metric-names.ts";
import { RATE_WINDOW } from "./promql.ts";
import type { DashboardSpec } from "./types.ts";

/**
 * The client module's metric names (client/metric-names.ts, OpenTelemetry style) as they
 * appear in Prometheus: dots become underscores, counters end in `_total`, histograms expose
 * `_bucket` series.
 */
function counter(name: string): string {
  return `${name.replace(/\./g, "_")}_total`;
}
function bucket(name: string): string {
  return `${name.replace(/\./g, "_")}_bucket`;
}
function gauge(name: string): string {
  return name.replace(/\./g, "_");
}

const p99 = (name: string): string =>
  `histogram_quantile(0.99, sum by (service, le) (rate(${bucket(name)}[${RATE_WINDOW}])))`;
const perService = (name: string): string =>
  `sum by (service) (rate(${counter(name)}[${RATE_WINDOW}]))`;

/** What the services see: produce and consume rates, latencies (incl. end to end), errors, dead letters. */
export function clientMetricsDashboard(cluster: string): DashboardSpec {
  return {
    uid: `kp-${cluster}-clients`.slice(0, 40),
    title: `Kafka clients (${cluster})`,
    description: "Metrics the platform's Kafka client module reports from inside each service.",
    tags: ["kafka", "kafka-platform", "clients"],
    rows: [
      {
        title: "Producers",
        panels: [
          {
            title: "Messages produced per service",
            description: "Messages acknowledged by the brokers.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [{ expr: perService(CLIENT_METRICS.produceMessages), legend: "{{service}}" }],
          },
          {
            title: "Produce latency p99",
            description: "Send until acknowledgement (acks=all).",
            kind: "timeseries",
            unit: "ms",
            source: "client",
            queries: [{ expr: p99(CLIENT_METRICS.produceLatency), legend: "{{service}}" }],
          },
          {
            title: "Produce errors",
            description: "Sends that failed after the producer's retries.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [
              {
                expr: `sum by (service, error) (rate(${counter(CLIENT_METRICS.produceErrors)}[${RATE_WINDOW}]))`,
                legend: "{{service}} {{error}}",
              },
            ],
          },
        ],
      },
      {
        title: "Consumers",
        panels: [
          {
            title: "Messages consumed per service",
            description: "Messages handled and committed.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [{ expr: perService(CLIENT_METRICS.consumeMessages), legend: "{{service}}" }],
          },
          {
            title: "End-to-end latency p99",
            description: "Envelope timestamp until the handler finished (seed goal: below 100 ms).",
            kind: "timeseries",
            unit: "ms",
            source: "client",
            queries: [{ expr: p99(CLIENT_METRICS.endToEndLatency), legend: "{{service}}" }],
          },
          {
            title: "Handler latency p99",
            description: "Handler duration per message, retries included.",
            kind: "timeseries",
            unit: "ms",
            source: "client",
            queries: [{ expr: p99(CLIENT_METRICS.consumeLatency), legend: "{{service}}" }],
          },
          {
            title: "Handler errors, retries and dead letters",
            description: "Failed attempts, retries, and messages sent to the dead-letter topic.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [
              { expr: perService(CLIENT_METRICS.consumeErrors), legend: "errors {{service}}" },
              { expr: perService(CLIENT_METRICS.consumeRetries), legend: "retries {{service}}" },
              { expr: perService(CLIENT_METRICS.deadLetters), legend: "dead letters {{service}}" },
            ],
          },
          {
            title: "Client-side lag",
            description:
              "Records between the committed offset and the partition end, as each consumer sees it.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [
              {
                expr: `sum by (service, group, topic) (${gauge(CLIENT_METRICS.consumerLag)})`,
                legend: "{{group}} {{topic}}",
              },
            ],
          },
          {
            title: "Transactions",
            description: "Committed and aborted transactions (exactly-once services).",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [
              {
                expr: perService(CLIENT_METRICS.transactionsCommitted),
                legend: "committed {{service}}",
              },
              {
                expr: perService(CLIENT_METRICS.transactionsAborted),
                legend: "aborted {{service}}",
              },
            ],
          },
        ],
      },
    ],
  };
}
