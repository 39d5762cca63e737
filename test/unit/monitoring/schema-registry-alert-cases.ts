import type { ExpectedAlert, PromtoolTestCase } from "./promtool.ts";
import { series } from "./strimzi-series.ts";

/**
 * promtool cases for the Schema Registry's alerts in prod-eu-west-1 (3 replicas in namespace
 * schema-registry, scraped by PodMonitor schema-registry: job "schema-registry/schema-registry").
 */
const RUNBOOKS = "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks";
const ns = { namespace: "schema-registry" };
const pod = (i: number): Record<string, string> => ({
  ...ns,
  job: "schema-registry/schema-registry",
  pod: `schema-registry-6d9f-${i}`,
});
const requests = (i: number, group: string): string =>
  series("rest_requests_seconds_count", {
    ...pod(i),
    method: "POST",
    path: "/apis/ccompat/v7/subjects/{subject}/versions",
    status_code_group: group,
  });

function expected(alert: string, severity: string, description: string): ExpectedAlert {
  const summary =
    alert === "SchemaRegistryDown"
      ? "The Schema Registry runs with fewer replicas than configured."
      : "The Schema Registry answers many requests with server errors.";
  return {
    exp_labels: { severity, ...ns },
    exp_annotations: { summary, description, runbook_url: `${RUNBOOKS}/${alert}.md` },
  };
}

export const schemaRegistryAlertCases: Record<string, PromtoolTestCase[]> = {
  SchemaRegistryDown: [
    {
      name: "one of three replicas down: warning",
      interval: "1m",
      input_series: [
        { series: series("up", pod(0)), values: "1x10" },
        { series: series("up", pod(1)), values: "1x10" },
        { series: series("up", pod(2)), values: "0x10" },
      ],
      alert_rule_test: [
        { eval_time: "3m", alertname: "SchemaRegistryDown", exp_alerts: [] },
        {
          eval_time: "8m",
          alertname: "SchemaRegistryDown",
          exp_alerts: [
            expected(
              "SchemaRegistryDown",
              "warning",
              "Only 2 of 3 Schema Registry replicas in schema-registry are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "no target at all: warning and critical",
      interval: "1m",
      input_series: [
        { series: series("up", { namespace: "kafka", job: "other" }), values: "1x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "SchemaRegistryDown",
          exp_alerts: [
            expected(
              "SchemaRegistryDown",
              "warning",
              "Only 0 of 3 Schema Registry replicas in schema-registry are up.",
            ),
            expected(
              "SchemaRegistryDown",
              "critical",
              "No Schema Registry replica in schema-registry is up: producers cannot register or look up new schemas, and consumers meeting an uncached schema id dead-letter after their retries.",
            ),
          ],
        },
      ],
    },
    {
      name: "all replicas up",
      interval: "1m",
      input_series: [0, 1, 2].map((i) => ({ series: series("up", pod(i)), values: "1x10" })),
      alert_rule_test: [{ eval_time: "8m", alertname: "SchemaRegistryDown", exp_alerts: [] }],
    },
  ],
  SchemaRegistryErrorRateHigh: [
    {
      name: "a tenth of requests fail with 500 for 15 minutes",
      interval: "1m",
      input_series: [
        // 90 successful and 10 failed requests a minute on one replica.
        { series: requests(0, "2xx"), values: "0+90x20" },
        { series: requests(0, "5xx"), values: "0+10x20" },
      ],
      alert_rule_test: [
        { eval_time: "10m", alertname: "SchemaRegistryErrorRateHigh", exp_alerts: [] },
        {
          eval_time: "18m",
          alertname: "SchemaRegistryErrorRateHigh",
          exp_alerts: [
            expected(
              "SchemaRegistryErrorRateHigh",
              "warning",
              "10% of Schema Registry requests in schema-registry failed with 5xx over the last 5 minutes.",
            ),
          ],
        },
      ],
    },
    {
      name: "incompatible schemas (409) are the clients' errors, not the registry's",
      interval: "1m",
      input_series: [
        { series: requests(0, "2xx"), values: "0+50x20" },
        { series: requests(0, "4xx"), values: "0+50x20" },
      ],
      alert_rule_test: [
        { eval_time: "18m", alertname: "SchemaRegistryErrorRateHigh", exp_alerts: [] },
      ],
    },
  ],
};
