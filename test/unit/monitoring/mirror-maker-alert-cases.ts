import type { ExpectedAlert, PromtoolTestCase } from "./promtool.ts";
import { mirrorMakerWorker, series } from "./strimzi-series.ts";

/**
 * promtool cases for MirrorMaker 2's connector alerts in prod-eu-west-1, which receives from
 * us-east-1 with an RPO of 300 s (Pulumi.prod-eu-west-1.yaml): replication latency warns above
 * 60,000 ms, record age is critical above 300,000 ms, checkpoints stall above 60,000 ms (six
 * 10 s sync intervals), and no replicated heartbeat from us-east-1 for the 300 s RPO is critical.
 * The worker's series carry the pod labels of the PodMonitor's targets and the bean's tags as
 * Kafka 4.3.1 names them (`source`, `target`, `topic` as named on the target, `partition`).
 */
const RUNBOOKS = "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks";
const worker = mirrorMakerWorker(0);
const source = (metric: string, topic: string): string =>
  series(`kafka_connect_mirror_source_connector_${metric}`, {
    ...worker,
    source: "us-east-1",
    target: "eu-west-1",
    topic,
    partition: "0",
  });
const checkpoint = (group: string): string =>
  series("kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_max", {
    ...worker,
    source: "us-east-1",
    target: "eu-west-1",
    group,
    topic: "audit.log",
    partition: "0",
  });
const status = (connector: string, state: string): string =>
  series("kafka_connect_connector_status", { ...worker, connector, status: state });
const failedTasks = (connector: string): string =>
  series("kafka_connect_worker_connector_failed_task_count", { ...worker, connector });
const SOURCE = "us-east-1->eu-west-1.MirrorSourceConnector";
const CHECKPOINT = "us-east-1->eu-west-1.MirrorCheckpointConnector";

const SUMMARY: Record<string, string> = {
  KafkaMirrorMaker2ReplicationLatencyHigh: "MirrorMaker 2 takes long to replicate records.",
  KafkaMirrorMaker2RecordAgeAboveRpo: "Mirrored records are older than the RPO.",
  KafkaMirrorMaker2ConnectorFailed: "A MirrorMaker 2 connector or task has failed.",
  KafkaMirrorMaker2CheckpointStalled: "MirrorMaker 2's checkpoints have stalled.",
  KafkaMirrorMaker2HeartbeatsStale:
    "No heartbeat from the other region has been replicated for the RPO.",
};
// Kafka's IdentityReplicationPolicy keeps the source prefix for heartbeats.
const HEARTBEATS = "us-east-1.heartbeats";
const staleHeartbeats = expected(
  "KafkaMirrorMaker2HeartbeatsStale",
  "critical",
  { topic: HEARTBEATS },
  "No record of us-east-1.heartbeats has been replicated into kafka for 300 s: the other region's heartbeat connector or the replication itself has stopped, and the latency and age alerts stay silent while nothing is replicated.",
);

function expected(
  alert: string,
  severity: string,
  labels: Record<string, string>,
  description: string,
): ExpectedAlert {
  return {
    exp_labels: { severity, namespace: "kafka", ...labels },
    exp_annotations: {
      summary: SUMMARY[alert] ?? "",
      description,
      runbook_url: `${RUNBOOKS}/${alert}.md`,
    },
  };
}

export const mirrorMakerAlertCases: Record<string, PromtoolTestCase[]> = {
  KafkaMirrorMaker2ReplicationLatencyHigh: [
    {
      name: "latency above a fifth of the RPO for 10 minutes: warning; below it: silent",
      interval: "1m",
      input_series: [
        { series: source("replication_latency_ms_max", "audit.log"), values: "70000x20" },
        { series: source("replication_latency_ms_max", "chat.events"), values: "50000x20" },
      ],
      alert_rule_test: [
        { eval_time: "5m", alertname: "KafkaMirrorMaker2ReplicationLatencyHigh", exp_alerts: [] },
        {
          eval_time: "12m",
          alertname: "KafkaMirrorMaker2ReplicationLatencyHigh",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2ReplicationLatencyHigh",
              "warning",
              { topic: "audit.log" },
              "Records of audit.log reach kafka 70k ms after the source appended them (warning above 60000 ms, a fifth of the 300 s RPO).",
            ),
          ],
        },
      ],
    },
  ],
  KafkaMirrorMaker2RecordAgeAboveRpo: [
    {
      name: "records older than the 300 s RPO for 2 minutes: critical",
      interval: "1m",
      input_series: [
        { series: source("record_age_ms_max", "chat.messages.acme"), values: "310000x10" },
        { series: source("record_age_ms_max", "audit.log"), values: "290000x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaMirrorMaker2RecordAgeAboveRpo",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2RecordAgeAboveRpo",
              "critical",
              { topic: "chat.messages.acme" },
              "MirrorMaker 2 replicates records of chat.messages.acme into kafka 310k ms after they were written, more than the 300 s RPO: a failover now would lose more than the RPO allows.",
            ),
          ],
        },
      ],
    },
    {
      name: "records younger than the RPO: silent",
      interval: "1m",
      input_series: [{ series: source("record_age_ms_max", "audit.log"), values: "1200x10" }],
      alert_rule_test: [
        { eval_time: "5m", alertname: "KafkaMirrorMaker2RecordAgeAboveRpo", exp_alerts: [] },
      ],
    },
  ],
  KafkaMirrorMaker2HeartbeatsStale: [
    {
      // 12 heartbeats a minute, then none from minute 5 on: the count is flat over the whole
      // 300 s window from minute 10, firing after the minute of `for`.
      name: "the replicated heartbeat count stops moving for the RPO: critical; while it moves: silent",
      interval: "1m",
      input_series: [
        { series: source("record_count", HEARTBEATS), values: "0+12x5 60x15" },
        { series: source("record_count", "audit.log"), values: "500x20" },
      ],
      alert_rule_test: [
        { eval_time: "4m", alertname: "KafkaMirrorMaker2HeartbeatsStale", exp_alerts: [] },
        {
          eval_time: "13m",
          alertname: "KafkaMirrorMaker2HeartbeatsStale",
          exp_alerts: [staleHeartbeats],
        },
      ],
    },
    {
      name: "no heartbeat series at all (never replicated): critical",
      interval: "1m",
      input_series: [{ series: source("record_count", "audit.log"), values: "0+10x10" }],
      alert_rule_test: [
        {
          eval_time: "3m",
          alertname: "KafkaMirrorMaker2HeartbeatsStale",
          exp_alerts: [staleHeartbeats],
        },
      ],
    },
    {
      // Every replicated topic idle, heartbeats flowing (a restart resets the count: still a change).
      name: "idle topics, heartbeats replicated, a worker restart: silent",
      interval: "1m",
      input_series: [
        { series: source("record_count", HEARTBEATS), values: "0+12x8 0+12x12" },
        { series: source("record_count", "audit.log"), values: "500x20" },
      ],
      alert_rule_test: [
        { eval_time: "15m", alertname: "KafkaMirrorMaker2HeartbeatsStale", exp_alerts: [] },
      ],
    },
  ],
  KafkaMirrorMaker2ConnectorFailed: [
    {
      name: "a failed connector, and a running connector with a failed task: critical for each",
      interval: "1m",
      input_series: [
        { series: status(SOURCE, "failed"), values: "1x10" },
        { series: status(CHECKPOINT, "running"), values: "1x10" },
        { series: failedTasks(CHECKPOINT), values: "1x10" },
        { series: failedTasks(SOURCE), values: "0x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "7m",
          alertname: "KafkaMirrorMaker2ConnectorFailed",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2ConnectorFailed",
              "critical",
              { connector: CHECKPOINT },
              `Connector ${CHECKPOINT} in kafka (or one of its tasks) has failed: what it replicates or translates is not moving.`,
            ),
            expected(
              "KafkaMirrorMaker2ConnectorFailed",
              "critical",
              { connector: SOURCE },
              `Connector ${SOURCE} in kafka (or one of its tasks) has failed: what it replicates or translates is not moving.`,
            ),
          ],
        },
      ],
    },
    {
      name: "running connectors without failed tasks: silent",
      interval: "1m",
      input_series: [
        { series: status(SOURCE, "running"), values: "1x10" },
        { series: failedTasks(SOURCE), values: "0x10" },
      ],
      alert_rule_test: [
        { eval_time: "7m", alertname: "KafkaMirrorMaker2ConnectorFailed", exp_alerts: [] },
      ],
    },
  ],
  KafkaMirrorMaker2CheckpointStalled: [
    {
      name: "a group's checkpoints older than six sync intervals for 15 minutes: warning",
      interval: "1m",
      input_series: [
        { series: status(CHECKPOINT, "running"), values: "1x30" },
        { series: checkpoint("audit-service"), values: "90000x30" },
        { series: checkpoint("search-indexer"), values: "4000x30" },
      ],
      alert_rule_test: [
        {
          eval_time: "20m",
          alertname: "KafkaMirrorMaker2CheckpointStalled",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2CheckpointStalled",
              "warning",
              { group: "audit-service" },
              "Consumer offsets translated into kafka are stale (audit-service): the checkpoint connector emits none, or none newer than 60 s; a failover would re-read more than it should.",
            ),
          ],
        },
      ],
    },
    {
      name: "the checkpoint connector runs but emits no checkpoint at all: warning",
      interval: "1m",
      input_series: [{ series: status(CHECKPOINT, "running"), values: "1x30" }],
      alert_rule_test: [
        {
          eval_time: "20m",
          alertname: "KafkaMirrorMaker2CheckpointStalled",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2CheckpointStalled",
              "warning",
              { connector: CHECKPOINT },
              `Consumer offsets translated into kafka are stale (${CHECKPOINT}): the checkpoint connector emits none, or none newer than 60 s; a failover would re-read more than it should.`,
            ),
          ],
        },
      ],
    },
    {
      name: "fresh checkpoints: silent",
      interval: "1m",
      input_series: [
        { series: status(CHECKPOINT, "running"), values: "1x30" },
        { series: checkpoint("audit-service"), values: "3000x30" },
      ],
      alert_rule_test: [
        { eval_time: "20m", alertname: "KafkaMirrorMaker2CheckpointStalled", exp_alerts: [] },
      ],
    },
  ],
};
