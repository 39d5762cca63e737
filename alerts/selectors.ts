import type { AlertContext } from "./types.ts";

/**
 * PromQL label matchers built from Strimzi's pod labels, as the PodMonitors relabel them
 * (`strimzi.io/pool-name` -> `strimzi_io_pool_name`, ...). Never pod-name patterns: node-pool
 * pods are named `<cluster>-<pool>-<nodeId>`, which the older `<cluster>-kafka-N` regexes miss.
 */

/** Escapes a value for use inside a double-quoted PromQL string. */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** Escapes a literal for a PromQL regex matcher (RE2), e.g. a consumer group name. */
export function promRegexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function clusterMatchers(ctx: AlertContext): string {
  return `namespace=${promString(ctx.namespace)}, strimzi_io_cluster=${promString(ctx.cluster)}`;
}

/** Broker pods: any pool with the broker role. */
export function brokerMatchers(ctx: AlertContext): string {
  return `${clusterMatchers(ctx)}, strimzi_io_kind="Kafka", strimzi_io_broker_role="true"`;
}

/** Controller pods: any pool with the controller role (the KRaft quorum). */
export function controllerMatchers(ctx: AlertContext): string {
  return `${clusterMatchers(ctx)}, strimzi_io_kind="Kafka", strimzi_io_controller_role="true"`;
}

/** The Kafka Exporter pod of the cluster. */
export function kafkaExporterMatchers(ctx: AlertContext): string {
  return `${clusterMatchers(ctx)}, strimzi_io_name=${promString(`${ctx.cluster}-kafka-exporter`)}`;
}

/** Labels that identify one node in alerts about a single broker or controller. */
export const NODE_LABELS = "namespace, strimzi_io_cluster, strimzi_io_pool_name, pod";
/** Labels that identify the cluster in cluster-wide alerts. */
export const CLUSTER_LABELS = "namespace, strimzi_io_cluster";
