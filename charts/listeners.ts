import {
  KafkaNodePoolSpecRoles,
  KafkaSpecKafkaListenersAuthenticationType,
  KafkaSpecKafkaListenersType,
  type KafkaSpecKafkaListeners,
} from "./imports/kafka.strimzi.io.ts";
import type { PlatformModel } from "./model.ts";
import { nodePoolPlans } from "./node-pools.ts";

/**
 * The one client listener: TLS with SCRAM-SHA-512, reachable only from namespaces that carry
 * the stack's client label. Strimzi's inter-broker and controller listeners are its own.
 */
export const CLIENT_LISTENER_NAME = "tls";
export const CLIENT_LISTENER_PORT = 9093;
/** Port of the JMX Prometheus exporter on Kafka pods (fixed by Strimzi, named tcp-prometheus). */
export const METRICS_PORT = 9404;

/** Selector of the namespaces whose pods may connect as clients. */
export function clientNamespaceSelector(model: PlatformModel): Record<string, string> {
  return { [model.config.kubernetes.clientNamespaceLabel]: "true" };
}

/** The address services connect to: the bootstrap Service Strimzi creates for the cluster. */
export function clientBootstrapAddress(model: PlatformModel): string {
  const { cluster, kubernetes } = model.config;
  return `${cluster.name}-kafka-bootstrap.${kubernetes.namespace}.svc:${CLIENT_LISTENER_PORT}`;
}

export function clientListener(model: PlatformModel): KafkaSpecKafkaListeners {
  return {
    name: CLIENT_LISTENER_NAME,
    port: CLIENT_LISTENER_PORT,
    type: KafkaSpecKafkaListenersType.INTERNAL,
    tls: true,
    authentication: { type: KafkaSpecKafkaListenersAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512 },
    networkPolicyPeers: [{ namespaceSelector: { matchLabels: clientNamespaceSelector(model) } }],
  };
}

/**
 * The listener the peer regions' MirrorMaker reaches (decision 0013): an internal load balancer
 * per broker plus one for bootstrap, TLS with SCRAM-SHA-512 like the client listener. The
 * brokers advertise the stack's DNS names, which Strimzi puts in their certificates, and the
 * bootstrap name is added as an alternative name. Only the peers' networks may connect
 * (NetworkPolicy ipBlock peers from `mirrorMaker.peers[].networks`). Rendered only where the
 * stack mirrors; the in-cluster client listener is unchanged.
 */
export const REPLICATION_LISTENER_NAME = "repl";
export const REPLICATION_LISTENER_PORT = 9094;

/** The peer regions' networks: the only sources the replication listener admits. */
export function replicationPeerNetworks(model: PlatformModel): string[] {
  const mm = model.config.mirrorMaker;
  if (!mm.enabled) return [];
  return [...new Set((mm.peers ?? []).flatMap((p) => p.networks))].sort();
}

export function replicationListener(
  model: PlatformModel,
  brokerIds: readonly number[],
): KafkaSpecKafkaListeners | undefined {
  const mm = model.config.mirrorMaker;
  if (!mm.enabled || mm.listener === undefined) return undefined;
  const { bootstrapHost, brokerHosts, annotations } = mm.listener;
  const withAnnotations = annotations === undefined ? {} : { annotations: { ...annotations } };
  return {
    name: REPLICATION_LISTENER_NAME,
    port: REPLICATION_LISTENER_PORT,
    type: KafkaSpecKafkaListenersType.LOADBALANCER,
    tls: true,
    authentication: { type: KafkaSpecKafkaListenersAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512 },
    configuration: {
      bootstrap: { alternativeNames: [bootstrapHost], ...withAnnotations },
      brokers: brokerIds.map((broker, i) => ({
        broker,
        advertisedHost: brokerHosts[i],
        ...withAnnotations,
      })),
    },
    networkPolicyPeers: replicationPeerNetworks(model).map((cidr) => ({ ipBlock: { cidr } })),
  };
}

/** The broker node ids, in order: the first ids of the pool with the broker role. */
export function brokerNodeIds(model: PlatformModel): number[] {
  const pool = nodePoolPlans(model.config).find((p) =>
    p.roles.includes(KafkaNodePoolSpecRoles.BROKER),
  );
  if (pool === undefined) return [];
  const first = Number(/^\[([0-9]+)-/.exec(pool.nodeIds)?.[1] ?? "0");
  return Array.from({ length: pool.pool.replicas }, (_, i) => first + i);
}
