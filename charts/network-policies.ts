import type { Construct } from "constructs";
import {
  NetworkPolicy,
  NetworkPolicyPort,
  NetworkPolicyTrafficDefault,
  Namespaces,
  NetworkPolicyIpBlock,
  Pods,
} from "cdk8s-plus-27";
import { STRIMZI_CLUSTER_LABEL, platformLabels } from "./labels.ts";
import {
  CLIENT_LISTENER_PORT,
  REPLICATION_LISTENER_PORT,
  clientNamespaceSelector,
  replicationPeerNetworks,
} from "./listeners.ts";
import type { PlatformModel } from "./model.ts";

/**
 * The NetworkPolicy rendered next to the ones Strimzi generates. The operator's policy
 * generation is on (its default, which this project never switches off): from the client
 * listener's `networkPolicyPeers` it admits clients only from namespaces labelled
 * `<clientNamespaceLabel>=true`, and it opens replication and controller traffic between the
 * cluster's pods.
 * - `<cluster>-kafka-clients` states the client rule in the rendered output, so review and the
 *   tests see it. NetworkPolicies add up, so it neither widens nor replaces Strimzi's; switching
 *   generation off would leave the brokers with this rule alone and cut replication.
 * - Where the stack mirrors, the replication listener admits only the peer regions' networks
 *   (`mirrorMaker.peers[].networks`, as ipBlock peers; decision 0013).
 * - Metrics ports are not restricted. Strimzi generates policies that open the metrics port
 *   (9404) of the brokers, Cruise Control and the Kafka Exporter to every peer, and policies
 *   only add up: a policy of ours admitting only Prometheus's namespace would restrict nothing.
 *   The exporter serves consumer-group names and offsets, no message data.
 */
export function addNetworkPolicies(scope: Construct, model: PlatformModel): NetworkPolicy[] {
  const cluster = model.config.cluster.name;
  return [
    new NetworkPolicy(scope, "network-policy-clients", {
      metadata: { name: `${cluster}-kafka-clients`, labels: platformLabels(model) },
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
          // The peer regions' MirrorMaker, from their networks only, on the replication listener.
          ...replicationPeerNetworks(model).map((cidr, i) => ({
            peer: NetworkPolicyIpBlock.ipv4(scope, `replication-peer-${i}`, cidr),
            ports: [NetworkPolicyPort.tcp(REPLICATION_LISTENER_PORT)],
          })),
        ],
      },
    }),
  ];
}
