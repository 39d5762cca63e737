/**
 * Series labels as the PodMonitors produce them for a Strimzi node-pool cluster `chat-kafka`
 * in namespace `kafka` (pods `chat-kafka-<pool>-<nodeId>`, Strimzi's `strimzi.io/*` pod labels
 * mapped to `strimzi_io_*`, plus what prometheus-operator adds).
 */
export type Labels = Record<string, string>;

export function series(metric: string, labels: Labels): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${metric}{${body}}`;
}

function node(pool: "brokers" | "controllers", nodeId: number): Labels {
  const broker = pool === "brokers";
  return {
    namespace: "kafka",
    pod: `chat-kafka-${pool}-${nodeId}`,
    container: "kafka",
    endpoint: "tcp-prometheus",
    instance: `10.42.${broker ? 1 : 2}.${nodeId % 100}:9404`,
    job: `kafka/chat-kafka-${pool}`,
    node_name: `ip-10-0-${nodeId % 100}-17`,
    strimzi_io_cluster: "chat-kafka",
    strimzi_io_component_type: "kafka",
    strimzi_io_kind: "Kafka",
    strimzi_io_name: "chat-kafka-kafka",
    strimzi_io_pool_name: pool,
    strimzi_io_broker_role: broker ? "true" : "false",
    strimzi_io_controller_role: broker ? "false" : "true",
  };
}

export const broker = (nodeId: 100 | 101 | 102): Labels => node("brokers", nodeId);
export const controller = (nodeId: 0 | 1 | 2): Labels => node("controllers", nodeId);
export const BROKERS = [100, 101, 102] as const;
export const CONTROLLERS = [0, 1, 2] as const;

export const kafkaExporter: Labels = {
  namespace: "kafka",
  pod: "chat-kafka-kafka-exporter-7c9d6b5f4-q8xkz",
  container: "chat-kafka-kafka-exporter",
  endpoint: "tcp-prometheus",
  instance: "10.42.3.9:9404",
  job: "kafka/chat-kafka-kafka-exporter",
  strimzi_io_cluster: "chat-kafka",
  strimzi_io_component_type: "kafka-exporter",
  strimzi_io_kind: "Kafka",
  strimzi_io_name: "chat-kafka-kafka-exporter",
};

export const clusterOperator: Labels = {
  namespace: "strimzi-system",
  pod: "strimzi-cluster-operator-6f8d9c7b54-mt2lp",
  container: "strimzi-cluster-operator",
  endpoint: "http",
  instance: "10.42.4.2:8080",
  job: "strimzi-system/strimzi-cluster-operator",
  strimzi_io_kind: "cluster-operator",
};

export function mirrorMakerWorker(index: 0 | 1): Labels {
  return {
    namespace: "kafka",
    pod: `chat-kafka-mirror-mirrormaker2-${index}`,
    container: "chat-kafka-mirror-mirrormaker2",
    endpoint: "tcp-prometheus",
    instance: `10.42.5.${index + 1}:9404`,
    job: "kafka/chat-kafka-mirror-maker-2",
    strimzi_io_cluster: "chat-kafka-mirror",
    strimzi_io_kind: "KafkaMirrorMaker2",
    strimzi_io_name: "chat-kafka-mirror-mirrormaker2",
  };
}
