import type { Construct } from "constructs";
import {
  NetworkPolicy,
  NetworkPolicyPort,
  NetworkPolicyTrafficDefault,
  Namespaces,
  Pods,
} from "cdk8s-plus-27";
import { STRIMZI_CLUSTER_LABEL, platformLabels } from "./labels.ts";
import { CLIENT_LISTENER_PORT, METRICS_PORT, clientNamespaceSelector } from "./listeners.ts";
import type { PlatformModel } from "./model.ts";

/** Label Kubernetes sets on every namespace with the namespace's own name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Ingress rules on top of the policy Strimzi generates from the listener's networkPolicyPeers,
 * so the guarantees hold even where the operator's policy generation is switched off:
 * - brokers take client connections only from namespaces labelled `<clientNamespaceLabel>=true`;
 * - the metrics port of Kafka and Kafka Exporter pods is open only to the monitoring namespace.
 * NetworkPolicies add up, so Strimzi's own replication and controller traffic is unaffected.
 */
export function addNetworkPolicies(scope: Construct, model: PlatformModel): NetworkPolicy[] {
  const cluster = model.config.cluster.name;
  const monitoringNamespace = Namespaces.select(scope, "monitoring-namespace", {
    labels: { [NAMESPACE_NAME_LABEL]: model.config.monitoring.grafanaNamespace },
  });
  const metadata = (name: string): { name: string; labels: Record<string, string> } => ({
    name,
    labels: platformLabels(model),
  });
  return [
    new NetworkPolicy(scope, "network-policy-clients", {
      metadata: metadata(`${cluster}-kafka-clients`),
      selector: Pods.select(scope, "broker-pods", {
        labels: { [STRIMZI_CLUSTER_LABEL]: cluster, "strimzi.io/broker-role": "true" },
      }),
      ingress: {
        default: NetworkPolicyTrafficDefault.DENY,
        rules: [
          {
            peer: Namespaces.select(scope, "client-namespaces", {
              labels: clientNamespaceSelector(model),
            }),
            ports: [NetworkPolicyPort.tcp(CLIENT_LISTENER_PORT)],
          },
        ],
      },
    }),
    new NetworkPolicy(scope, "network-policy-kafka-metrics", {
      metadata: metadata(`${cluster}-kafka-metrics`),
      selector: Pods.select(scope, "kafka-pods", {
        labels: { "strimzi.io/name": `${cluster}-kafka` },
      }),
      ingress: {
        default: NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: monitoringNamespace, ports: [NetworkPolicyPort.tcp(METRICS_PORT)] }],
      },
    }),
    new NetworkPolicy(scope, "network-policy-exporter-metrics", {
      metadata: metadata(`${cluster}-kafka-exporter-metrics`),
      selector: Pods.select(scope, "exporter-pods", {
        labels: { "strimzi.io/name": `${cluster}-kafka-exporter` },
      }),
      ingress: {
        default: NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: monitoringNamespace, ports: [NetworkPolicyPort.tcp(METRICS_PORT)] }],
      },
    }),
  ];
}
