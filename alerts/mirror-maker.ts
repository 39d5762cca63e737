import {
  MIRROR_CHECKPOINT_METRIC_PREFIX,
  MIRROR_SOURCE_METRIC_PREFIX,
} from "../charts/mirror-maker-metrics.ts";
import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/**
 * MirrorMaker 2 (pods of kind KafkaMirrorMaker2 in the Kafka namespace), only on stacks that
 * receive from another region. The connector series come from the exporter rules in
 * charts/mirror-maker-metrics.ts: Kafka's MirrorSourceConnector metrics (replication-latency-ms,
 * record-age-ms per partition), MirrorCheckpointConnector's checkpoint-latency-ms per group and
 * partition, and Connect's connector status and failed task count.
 *
 * The latency and age series are windowed maxima: with no record replicated they read NaN and
 * every comparison is false, so an idle topic, and a replication that stopped, silence them.
 * The peers' heartbeats (decision 0015: a record every few seconds, replicated as
 * `<source>.heartbeats`) never go idle: KafkaMirrorMaker2HeartbeatsStale fires when their
 * replicated count stops moving, or was never seen, for the RPO.
 */
export function mirrorMakerAlerts(ctx: AlertContext): AlertGroup {
  if (ctx.mirrorMaker === undefined) return { name: "kafka-mirror-maker", alerts: [] };
  const ns = `namespace=${promString(ctx.namespace)}`;
  const m = `${ns}, strimzi_io_kind="KafkaMirrorMaker2"`;
  const up = `(sum by (namespace) (up{${m}}) or sum by (namespace) (0 * absent(up{${m}})))`;
  const { replicas, rpoSeconds, syncSeconds, heartbeatTopics } = ctx.mirrorMaker;
  const rpoMs = rpoSeconds * 1000;
  // Latency is how long a record took from the source's append to the target's ack; a fifth
  // of the RPO leaves room to react before the RPO itself is at risk.
  const latencyMs = Math.round(rpoMs / 5);
  const stalledSeconds = syncSeconds * 6;
  const latency = `max by (namespace, topic) (${MIRROR_SOURCE_METRIC_PREFIX}replication_latency_ms_max{${ns}})`;
  const age = `max by (namespace, topic) (${MIRROR_SOURCE_METRIC_PREFIX}record_age_ms_max{${ns}})`;
  const checkpoint = `${MIRROR_CHECKPOINT_METRIC_PREFIX}checkpoint_latency_ms_max{${ns}}`;
  // Heartbeats arrive every few seconds; none within the RPO (at least 2 minutes, four scrapes)
  // means the peer's emitter or the replication has stopped.
  const heartbeatWindow = Math.max(120, rpoSeconds);
  const heartbeatCount = (topic: string): string =>
    `${MIRROR_SOURCE_METRIC_PREFIX}record_count{${ns}, topic=${promString(topic)}}`;
  const heartbeats = heartbeatTopics
    .map(
      (t) =>
        `(max by (namespace, topic) (changes(${heartbeatCount(t)}[${heartbeatWindow}s])) == 0) or absent(${heartbeatCount(t)})`,
    )
    .join(" or ");
  return {
    name: "kafka-mirror-maker",
    alerts: [
      {
        alert: "KafkaMirrorMaker2Down",
        severity: "warning",
        expr: `${up} < ${replicas}`,
        for: "5m",
        summary: "MirrorMaker 2 runs with fewer workers than configured.",
        description: `Only {{ $value }} of ${replicas} MirrorMaker 2 workers in {{ $labels.namespace }} are up.`,
      },
      {
        alert: "KafkaMirrorMaker2Down",
        severity: "critical",
        expr: `${up} < 1`,
        for: "5m",
        summary: "MirrorMaker 2 runs with fewer workers than configured.",
        description: `No MirrorMaker 2 worker in {{ $labels.namespace }} is up: topics from the other region are not mirrored.`,
      },
      {
        alert: "KafkaMirrorMaker2ReplicationLatencyHigh",
        severity: "warning",
        expr: `${latency} > ${latencyMs}`,
        for: "10m",
        summary: "MirrorMaker 2 takes long to replicate records.",
        description: `Records of {{ $labels.topic }} reach {{ $labels.namespace }} {{ $value | humanize }} ms after the source appended them (warning above ${latencyMs} ms, a fifth of the ${rpoSeconds} s RPO).`,
      },
      {
        alert: "KafkaMirrorMaker2RecordAgeAboveRpo",
        severity: "critical",
        expr: `${age} > ${rpoMs}`,
        for: "2m",
        summary: "Mirrored records are older than the RPO.",
        description: `MirrorMaker 2 replicates records of {{ $labels.topic }} into {{ $labels.namespace }} {{ $value | humanize }} ms after they were written, more than the ${rpoSeconds} s RPO: a failover now would lose more than the RPO allows.`,
      },
      ...(heartbeats === ""
        ? []
        : [
            {
              alert: "KafkaMirrorMaker2HeartbeatsStale",
              severity: "critical" as const,
              expr: heartbeats,
              for: "1m",
              summary: "No heartbeat from the other region has been replicated for the RPO.",
              description: `No record of {{ $labels.topic }} has been replicated into {{ $labels.namespace }} for ${heartbeatWindow} s: the other region's heartbeat connector or the replication itself has stopped, and the latency and age alerts stay silent while nothing is replicated.`,
            },
          ]),
      {
        alert: "KafkaMirrorMaker2ConnectorFailed",
        severity: "critical",
        expr: `max by (namespace, connector) (kafka_connect_connector_status{${ns}, status="failed"}) > 0 or max by (namespace, connector) (kafka_connect_worker_connector_failed_task_count{${ns}}) > 0`,
        for: "5m",
        summary: "A MirrorMaker 2 connector or task has failed.",
        description: `Connector {{ $labels.connector }} in {{ $labels.namespace }} (or one of its tasks) has failed: what it replicates or translates is not moving.`,
      },
      {
        alert: "KafkaMirrorMaker2CheckpointStalled",
        severity: "warning",
        expr: `(max by (namespace, group) (${checkpoint}) > ${stalledSeconds * 1000}) or (max by (namespace, connector) (kafka_connect_connector_status{${ns}, connector=~".*MirrorCheckpointConnector", status="running"}) unless on (namespace) count by (namespace) (${checkpoint}))`,
        for: "15m",
        summary: "MirrorMaker 2's checkpoints have stalled.",
        description: `Consumer offsets translated into {{ $labels.namespace }} are stale ({{ $labels.group }}{{ $labels.connector }}): the checkpoint connector emits none, or none newer than ${stalledSeconds} s; a failover would re-read more than it should.`,
      },
    ],
  };
}
