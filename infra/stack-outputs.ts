import type { K8sObject, RenderedChart } from "../charts/index.ts";
import type { PlatformModel } from "../charts/model.ts";

/** A listener as the Kafka resource declares it (only the fields the addresses need). */
interface ListenerSpec {
  readonly name: string;
  readonly port: number;
  readonly type: string;
}

function listenersOf(kafka: K8sObject): ListenerSpec[] {
  const spec = kafka["spec"] as { kafka?: { listeners?: ListenerSpec[] } } | undefined;
  return spec?.kafka?.listeners ?? [];
}

/**
 * In-cluster bootstrap address of every listener of the rendered Kafka resource, by listener
 * name, as Strimzi names its bootstrap Services: `internal` listeners share
 * `<cluster>-kafka-bootstrap`, a `cluster-ip` listener gets `<cluster>-kafka-<listener>-bootstrap`.
 * External listener types (loadbalancer, nodeport, route, ingress) get their address only once
 * the cluster runs; read it from the Kafka resource's `status.listeners`.
 */
export function strimziBootstrapAddresses(
  charts: readonly RenderedChart[],
): Record<string, string> {
  const kafkas = charts.flatMap((c) =>
    c.objects.filter((o) => o.kind === "Kafka" && o.apiVersion.startsWith("kafka.strimzi.io/")),
  );
  const addresses: Record<string, string> = {};
  for (const kafka of kafkas) {
    const { name, namespace } = kafka.metadata;
    for (const l of listenersOf(kafka)) {
      const service =
        l.type === "internal"
          ? `${name}-kafka-bootstrap`
          : l.type === "cluster-ip"
            ? `${name}-kafka-${l.name}-bootstrap`
            : undefined;
      if (service !== undefined)
        addresses[l.name] = `${service}.${namespace ?? "default"}.svc:${l.port}`;
    }
  }
  return addresses;
}

/**
 * Per service, the name of the Secret holding its SCRAM credentials (in the cluster namespace).
 * With Strimzi it is the KafkaUser's name, which the user operator gives the generated Secret.
 */
export function credentialSecretNames(
  model: Pick<PlatformModel, "access">,
): Record<string, string> {
  return Object.fromEntries(model.access.map((a) => [a.service, a.username]));
}
