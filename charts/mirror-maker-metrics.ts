import {
  renderJmxExporterConfigYaml,
  type JmxExporterConfig,
} from "./monitoring/jmx-exporter-rules.ts";

/**
 * JMX exporter rules for MirrorMaker 2 (Kafka Connect with the connect-mirror connectors), in
 * the style of Strimzi's example: lowercase names, the bean keys as labels. One source for the
 * KafkaMirrorMaker2's metrics ConfigMap and the local dedicated-mode process's javaagent.
 *
 * Series the alerts (alerts/mirror-maker.ts) read:
 * - `kafka_connect_mirror_source_connector_replication_latency_ms_max{source,target,topic,partition}`,
 *   `..._record_age_ms_max` and `..._record_count`: MirrorSourceConnector, per replicated
 *   partition, `topic` as named on the target (`us-east-1.heartbeats` for the heartbeats);
 * - `kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_max{source,target,group,topic,partition}`;
 * - `kafka_connect_connector_status{connector,status}` (1 for the connector's state) and
 *   `kafka_connect_worker_connector_failed_task_count{connector}`.
 */
export const MIRROR_SOURCE_METRIC_PREFIX = "kafka_connect_mirror_source_connector_";
export const MIRROR_CHECKPOINT_METRIC_PREFIX = "kafka_connect_mirror_checkpoint_connector_";

export function mirrorMakerJmxExporterConfig(): JmxExporterConfig {
  return {
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    includeObjectNames: [
      "kafka.connect.mirror:*",
      "kafka.connect:type=connector-metrics,*",
      "kafka.connect:type=connect-worker-metrics,*",
    ],
    excludeObjectNames: [],
    rules: [
      {
        // Kafka 4.3.1 names the bean `type=MirrorSourceConnector,source=..,target=..,topic=..,
        // partition=..` (MirrorSourceLegacyMetrics; `topic` is the name on the target).
        pattern:
          "kafka\\.connect\\.mirror<type=MirrorSourceConnector, source=([^,>]+), target=([^,>]+), topic=([^,>]+), partition=([0-9]+)><>([a-z-]+)",
        name: `${MIRROR_SOURCE_METRIC_PREFIX}$5`,
        type: "GAUGE",
        labels: { source: "$1", target: "$2", topic: "$3", partition: "$4" },
      },
      {
        pattern:
          "kafka\\.connect\\.mirror<type=MirrorCheckpointConnector, source=([^,>]+), target=([^,>]+), group=([^,>]+), topic=([^,>]+), partition=([0-9]+)><>([a-z-]+)",
        name: `${MIRROR_CHECKPOINT_METRIC_PREFIX}$6`,
        type: "GAUGE",
        labels: { source: "$1", target: "$2", group: "$3", topic: "$4", partition: "$5" },
      },
      {
        pattern: "kafka\\.connect<type=connector-metrics, connector=([^,>]+)><>status: ([a-z-]+)",
        name: "kafka_connect_connector_status",
        type: "GAUGE",
        labels: { connector: "$1", status: "$2" },
        value: "1",
      },
      {
        pattern:
          "kafka\\.connect<type=connect-worker-metrics, connector=([^,>]+)><>connector-([a-z-]+)-task-count",
        name: "kafka_connect_worker_connector_$2_task_count",
        type: "GAUGE",
        labels: { connector: "$1" },
      },
    ],
  };
}

export function mirrorMakerJmxExporterConfigYaml(): string {
  return renderJmxExporterConfigYaml(mirrorMakerJmxExporterConfig());
}
