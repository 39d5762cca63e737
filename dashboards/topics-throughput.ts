import type { AlertContext } from "../alerts/types.ts";
import { RATE_WINDOW, dashboardSelectors } from "./promql.ts";
import type { DashboardSpec } from "./types.ts";

/**
 * BrokerTopicMetrics come twice: per topic (with a `topic` label) and as the broker's total
 * (without one); `topic!=""` and `topic=""` pick one or the other so nothing is counted twice.
 */
export function topicsThroughputDashboard(ctx: AlertContext): DashboardSpec {
  const b = dashboardSelectors(ctx).brokers;
  const perTopic = (metric: string): string =>
    `sum by (topic) (rate(${metric}{${b}, topic!=""}[${RATE_WINDOW}]))`;
  const total = (metric: string): string => `sum(rate(${metric}{${b}, topic=""}[${RATE_WINDOW}]))`;
  return {
    uid: `kp-${ctx.cluster}-topics`.slice(0, 40),
    title: `Kafka topics and throughput (${ctx.cluster})`,
    description: "Bytes and messages per topic, request rates, log sizes.",
    tags: ["kafka", "kafka-platform", "topics"],
    rows: [
      {
        title: "Cluster throughput",
        panels: [
          {
            title: "Bytes in / out",
            description: "All topics, all brokers (replication excluded).",
            kind: "timeseries",
            unit: "Bps",
            source: "kafka",
            queries: [
              { expr: total("kafka_server_brokertopicmetrics_bytesin_total"), legend: "in" },
              { expr: total("kafka_server_brokertopicmetrics_bytesout_total"), legend: "out" },
            ],
          },
          {
            title: "Messages in",
            description:
              "Messages per second written to all topics (seed goal: above 100k/s at peak).",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: total("kafka_server_brokertopicmetrics_messagesin_total"),
                legend: "messages/s",
              },
            ],
          },
          {
            title: "Requests per second",
            description: "Produce and fetch requests by type.",
            kind: "timeseries",
            unit: "reqps",
            source: "kafka",
            queries: [
              {
                expr: `sum by (request) (rate(kafka_network_requestmetrics_requests_total{${b}, request=~"Produce|FetchConsumer|FetchFollower"}[${RATE_WINDOW}]))`,
                legend: "{{request}}",
              },
            ],
          },
          {
            title: "Failed produce and fetch requests",
            description: "Requests the brokers answered with an error.",
            kind: "timeseries",
            unit: "reqps",
            source: "kafka",
            queries: [
              {
                expr: total("kafka_server_brokertopicmetrics_failedproducerequests_total"),
                legend: "produce",
              },
              {
                expr: total("kafka_server_brokertopicmetrics_failedfetchrequests_total"),
                legend: "fetch",
              },
            ],
          },
        ],
      },
      {
        title: "Per topic",
        panels: [
          {
            title: "Bytes in per topic",
            description: "Bytes per second producers write to each topic.",
            kind: "timeseries",
            unit: "Bps",
            source: "kafka",
            queries: [
              {
                expr: perTopic("kafka_server_brokertopicmetrics_bytesin_total"),
                legend: "{{topic}}",
              },
            ],
          },
          {
            title: "Bytes out per topic",
            description: "Bytes per second consumers read from each topic.",
            kind: "timeseries",
            unit: "Bps",
            source: "kafka",
            queries: [
              {
                expr: perTopic("kafka_server_brokertopicmetrics_bytesout_total"),
                legend: "{{topic}}",
              },
            ],
          },
          {
            title: "Messages in per topic",
            description: "Messages per second written to each topic.",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: perTopic("kafka_server_brokertopicmetrics_messagesin_total"),
                legend: "{{topic}}",
              },
            ],
          },
          {
            title: "Log size per topic",
            description: "Bytes on disk per topic, all replicas.",
            kind: "timeseries",
            unit: "bytes",
            source: "kafka",
            queries: [{ expr: `sum by (topic) (kafka_log_log_size{${b}})`, legend: "{{topic}}" }],
          },
        ],
      },
    ],
  };
}
