import { describe, expect, it } from "vitest";
import { renderedPrometheusRule, ruleFileFromPrometheusRule } from "../../../alerts/rule-file.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { testRules, type PromtoolTestCase } from "./promtool.ts";
import { kafkaExporter, series } from "./strimzi-series.ts";

/**
 * Issue 14, item 5: the lag target (1,000, separate from the 10,000 / 100,000 alert thresholds)
 * is recorded per group, and the catalog's per-group overrides (acl/services.ts:
 * notification-service target 100 / 1,000 / 10,000; analytics-service 100,000 / 1,000,000 /
 * 10,000,000) hold in the rendered rules. Figures written out here from the catalog.
 */
const ruleFile = ruleFileFromPrometheusRule(
  renderedPrometheusRule(buildPlatformModel(loadStack("prod-us-east-1"))),
);
const lag = (group: string): string =>
  series("kafka_consumergroup_lag", {
    ...kafkaExporter,
    consumergroup: group,
    topic: "t",
    partition: "0",
  });
const groupLabels = (group: string, metric: string): string =>
  `${metric}{consumergroup="${group}", namespace="kafka", strimzi_io_cluster="chat-kafka"}`;
const ABOVE = "kafka_platform:consumergroup_lag_above_target:bool";
const RUNBOOK =
  "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks/KafkaConsumerGroupLagHigh.md";
const warning = (group: string, value: number, threshold: number) => ({
  exp_labels: {
    severity: "warning",
    namespace: "kafka",
    strimzi_io_cluster: "chat-kafka",
    consumergroup: group,
  },
  exp_annotations: {
    summary: "A catalog consumer group is falling behind its topics.",
    description: `Consumer group ${group} of cluster chat-kafka in kafka is ${value} messages behind (threshold ${threshold}).`,
    runbook_url: RUNBOOK,
  },
});

const cases: PromtoolTestCase[] = [
  {
    name: "each group is above or below its own target",
    interval: "1m",
    input_series: [
      { series: lag("message-processor"), values: "1500x10" },
      { series: lag("notification-service"), values: "150x10" },
      { series: lag("analytics-service"), values: "50000x10" },
      { series: lag("search-indexer"), values: "999x10" },
    ],
    alert_rule_test: [],
    promql_expr_test: [
      {
        expr: "kafka_platform:consumergroup_lag_above_target:bool",
        eval_time: "5m",
        exp_samples: [
          // 1,500 > 1,000 (default); 150 > 100 (notifications); 50,000 < 100,000 (analytics).
          {
            labels: groupLabels("message-processor", ABOVE),
            value: 1,
          },
          { labels: groupLabels("notification-service", ABOVE), value: 1 },
          { labels: groupLabels("analytics-service", ABOVE), value: 0 },
          { labels: groupLabels("search-indexer", ABOVE), value: 0 },
        ],
      },
      {
        expr: 'kafka_platform:consumergroup_lag:sum{consumergroup="message-processor"}',
        eval_time: "5m",
        exp_samples: [
          {
            labels: groupLabels("message-processor", "kafka_platform:consumergroup_lag:sum"),
            value: 1500,
          },
        ],
      },
    ],
  },
  {
    name: "time above target: half of the hour above 1,000 is 0.5 on the dashboard's query",
    interval: "1m",
    input_series: [{ series: lag("message-processor"), values: "500x29 2000x30" }],
    alert_rule_test: [],
    promql_expr_test: [
      {
        expr: 'avg_over_time(kafka_platform:consumergroup_lag_above_target:bool{consumergroup="message-processor"}[1d])',
        eval_time: "59m",
        exp_samples: [{ labels: groupLabels("message-processor", ""), value: 0.5 }],
      },
    ],
  },
  {
    name: "overridden thresholds: notifications warn at 1,000, analytics only at 1,000,000",
    interval: "1m",
    input_series: [
      { series: lag("notification-service"), values: "2000x20" },
      { series: lag("analytics-service"), values: "500000x20" },
      { series: lag("message-processor"), values: "15000x20" },
    ],
    alert_rule_test: [
      {
        eval_time: "15m",
        alertname: "KafkaConsumerGroupLagHigh",
        exp_alerts: [
          warning("message-processor", 15000, 10000),
          warning("notification-service", 2000, 1000),
        ],
      },
    ],
  },
];

describe("consumer-lag service levels under promtool", () => {
  it("records the time above each group's target and alerts on each group's thresholds", () => {
    const r = testRules(ruleFile, cases);
    expect(r.ok, `promtool test rules failed (exit ${r.status}):\n${r.output}`).toBe(true);
    expect(r.output).toContain("SUCCESS");
  });
});
