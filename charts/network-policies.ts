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
 * NetworkPolicies rendered next to the ones Strimzi generates. The operator's policy generation
 * is on (its default, which this project never switches off): from the client listener's
 * `networkPolicyPeers` it admits clients only from namespaces labelled
 * `<clientNamespaceLabel>=true`, and it opens replication and controller traffic between the
 * cluster's pods and the metrics port (9404) to scrapers.
 * - `<cluster>-kafka-clients` states the client rule in the rendered output, so review and the
 *   tests see it. NetworkPolicies add up, so it neither widens nor replaces Strimzi's; switching
 *   generation off would leave the brokers with this rule alone and cut replication.
 * - `<cluster>-kafka-exporter-metrics`: Strimzi generates nothing for the Kafka Exporter, so
 *   this is the policy that confines its metrics port to Prometheus's namespace.
 */
export function addNetworkPolicies(scope: Construct, model: PlatformModel): NetworkPolicy[] {
  const cluster = model.config.cluster.name;
  const prometheusNamespace = Namespaces.select(scope, "prometheus-namespace", {
    labels: { [NAMESPACE_NAME_LABEL]: model.config.monitoring.prometheusNamespace },
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
    new NetworkPolicy(scope, "network-policy-exporter-metrics", {
      metadata: metadata(`${cluster}-kafka-exporter-metrics`),
      selector: Pods.select(scope, "exporter-pods", {
        labels: { "strimzi.io/name": `${cluster}-kafka-exporter` },
      }),
      ingress: {
        default: NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: prometheusNamespace, ports: [NetworkPolicyPort.tcp(METRICS_PORT)] }],
      },
    }),
  ];
}
