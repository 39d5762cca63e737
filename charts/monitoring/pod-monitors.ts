import type { Construct } from "constructs";
import {
  PodMonitor,
  type PodMonitorSpecPodMetricsEndpoints,
  PodMonitorSpecPodMetricsEndpointsRelabelingsAction,
  type PodMonitorSpecSelectorMatchExpressions,
} from "../imports/monitoring.coreos.com.ts";
import { platformLabels } from "../labels.ts";
import type { PlatformModel } from "../model.ts";

/**
 * Prometheus scrape targets, found by Strimzi's pod labels. Every endpoint copies the pods'
 * `strimzi.io/*` labels onto the series (`strimzi.io/pool-name` -> `strimzi_io_pool_name`, ...),
 * which is what the alerts and dashboards select on. prometheus-operator adds `namespace`
 * and `pod` itself.
 */
function endpoint(port: string): PodMonitorSpecPodMetricsEndpoints {
  return {
    port,
    path: "/metrics",
    interval: "30s",
    relabelings: [
      {
        action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.LABELMAP,
        regex: "__meta_kubernetes_pod_label_(strimzi_io_.+)",
        replacement: "$1",
      },
      {
        action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE,
        sourceLabels: ["__meta_kubernetes_pod_node_name"],
        targetLabel: "node_name",
      },
    ],
  };
}

interface PodMonitorPlan {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly matchLabels: Record<string, string>;
  readonly matchExpressions?: PodMonitorSpecSelectorMatchExpressions[];
  /** Named container ports to scrape, one endpoint each. */
  readonly ports: readonly string[];
}

/** The targets: brokers, controllers, Kafka Exporter, Entity Operator, Cluster Operator, MirrorMaker 2. */
export function podMonitorPlans(model: PlatformModel): PodMonitorPlan[] {
  const { config } = model;
  const cluster = config.cluster.name;
  const ns = config.kubernetes.namespace;
  const kafkaPods = { "strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka" };
  const plans: PodMonitorPlan[] = [
    {
      id: "pod-monitor-brokers",
      name: `${cluster}-brokers`,
      namespace: ns,
      matchLabels: { ...kafkaPods, "strimzi.io/broker-role": "true" },
      ports: ["tcp-prometheus"],
    },
    {
      // Controller-only pods: a combined broker+controller pod is already scraped as a broker.
      id: "pod-monitor-controllers",
      name: `${cluster}-controllers`,
      namespace: ns,
      matchLabels: { ...kafkaPods, "strimzi.io/controller-role": "true" },
      matchExpressions: [{ key: "strimzi.io/broker-role", operator: "NotIn", values: ["true"] }],
      ports: ["tcp-prometheus"],
    },
    {
      id: "pod-monitor-kafka-exporter",
      name: `${cluster}-kafka-exporter`,
      namespace: ns,
      matchLabels: { ...kafkaPods, "strimzi.io/name": `${cluster}-kafka-exporter` },
      ports: ["tcp-prometheus"],
    },
    {
      id: "pod-monitor-entity-operator",
      name: `${cluster}-entity-operator`,
      namespace: ns,
      matchLabels: { ...kafkaPods, "strimzi.io/name": `${cluster}-entity-operator` },
      // Strimzi 1.1 renamed the port per operator; "healthcheck" scrapes nothing since.
      ports: ["healthcheck-to", "healthcheck-uo"],
    },
    {
      id: "pod-monitor-cluster-operator",
      name: "strimzi-cluster-operator",
      namespace: config.operator.namespace,
      matchLabels: { "strimzi.io/kind": "cluster-operator" },
      ports: ["http"],
    },
  ];
  // MirrorMaker 2 runs only where the stack receives (decision 0013).
  if ((model.mirror?.inbound.length ?? 0) > 0) {
    plans.push({
      id: "pod-monitor-mirror-maker-2",
      name: `${cluster}-mirror-maker-2`,
      namespace: ns,
      matchLabels: { "strimzi.io/kind": "KafkaMirrorMaker2" },
      ports: ["tcp-prometheus"],
    });
  }
  // The heartbeat emitter runs only where the stack serves a peer (decision 0015).
  const heartbeats = model.mirror?.heartbeats;
  if (heartbeats !== undefined) {
    plans.push({
      id: "pod-monitor-mirror-heartbeats",
      name: heartbeats.connect,
      namespace: ns,
      matchLabels: { "strimzi.io/kind": "KafkaConnect", "strimzi.io/cluster": heartbeats.connect },
      ports: ["tcp-prometheus"],
    });
  }
  return plans;
}

export function addPodMonitors(scope: Construct, model: PlatformModel): PodMonitor[] {
  const labels = { ...platformLabels(model), ...model.config.monitoring.prometheusSelector };
  return podMonitorPlans(model).map(
    (p) =>
      new PodMonitor(scope, p.id, {
        metadata: { name: p.name, namespace: p.namespace, labels },
        spec: {
          selector: {
            matchLabels: p.matchLabels,
            ...(p.matchExpressions ? { matchExpressions: p.matchExpressions } : {}),
          },
          namespaceSelector: { matchNames: [p.namespace] },
          podMetricsEndpoints: p.ports.map(endpoint),
        },
      }),
  );
}
