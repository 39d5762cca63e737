import {
  KafkaSpecKafkaListenersAuthenticationType,
  KafkaSpecKafkaListenersType,
  type KafkaSpecKafkaListeners,
} from "./imports/kafka.strimzi.io.ts";
import type { PlatformModel } from "./model.ts";

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
