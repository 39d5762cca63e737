import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { platformLabels } from "../labels.ts";
import type { PlatformModel } from "../model.ts";

/**
 * Readiness of the Strimzi custom resources, through kube-state-metrics' custom-resource state
 * metrics (Strimzi 1.2 removed `strimzi_resource_state`; upstream's
 * `examples/metrics/kube-state-metrics/` does the same). One Info metric per kind,
 * `<prefix>_resource_info`, labelled with the resource's name, namespace and the status of its
 * `Ready` condition; the alert `KafkaCustomResourceNotReady` reads them.
 */
export const CUSTOM_RESOURCE_KINDS = [
  { kind: "Kafka", prefix: "strimzi_kafka" },
  { kind: "KafkaNodePool", prefix: "strimzi_kafka_node_pool" },
  { kind: "KafkaTopic", prefix: "strimzi_kafka_topic" },
  { kind: "KafkaUser", prefix: "strimzi_kafka_user" },
] as const;

/** The metric names kube-state-metrics exports with the config below. */
export const CUSTOM_RESOURCE_METRICS = CUSTOM_RESOURCE_KINDS.map(
  (k) => `${k.prefix}_resource_info`,
);

export const KSM_CONFIG_KEY = "config.yaml";

export function kubeStateMetricsConfigMapName(cluster: string): string {
  return `${cluster}-strimzi-kube-state-metrics`;
}

/** The CustomResourceStateMetrics document kube-state-metrics loads (`--custom-resource-state-config-file`). */
export function kubeStateMetricsConfig(): Record<string, unknown> {
  return {
    kind: "CustomResourceStateMetrics",
    spec: {
      resources: CUSTOM_RESOURCE_KINDS.map((k) => ({
        groupVersionKind: { group: "kafka.strimzi.io", version: "v1", kind: k.kind },
        metricNamePrefix: k.prefix,
        metrics: [
          {
            name: "resource_info",
            help: `The readiness of a Strimzi ${k.kind}`,
            each: {
              type: "Info",
              info: { labelsFromPath: { name: ["metadata", "name"] } },
            },
            labelsFromPath: {
              exported_namespace: ["metadata", "namespace"],
              ready: ["status", "conditions", "[type=Ready]", "status"],
              reason: ["status", "conditions", "[type=Ready]", "reason"],
            },
          },
        ],
      })),
    },
  };
}

/**
 * The config as a ConfigMap in Prometheus's namespace, where kube-state-metrics (of
 * kube-prometheus-stack) runs; it must mount it (docs/monitoring.md).
 */
export class KubeStateMetricsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, "kube-state-metrics", { namespace: model.config.monitoring.prometheusNamespace });
    new ApiObject(this, "config", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: kubeStateMetricsConfigMapName(model.config.cluster.name),
        labels: platformLabels(model),
      },
      data: { [KSM_CONFIG_KEY]: stringify(kubeStateMetricsConfig()) },
    });
  }
}
