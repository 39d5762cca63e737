import type { K8sObject } from "./index.ts";

/** The order objects appear in within a chart: the cluster first, plain Kubernetes objects last. */
const KIND_ORDER = [
  "Kafka",
  "KafkaNodePool",
  "KafkaTopic",
  "KafkaUser",
  "KafkaMirrorMaker2",
  "PodMonitor",
  "PrometheusRule",
  "ConfigMap",
  "NetworkPolicy",
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Sorts by kind (in KIND_ORDER, then alphabetically), then namespace and name: stable across runs. */
export function sortObjects(objects: readonly K8sObject[]): K8sObject[] {
  const key = (o: K8sObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  return [...objects].sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      a.kind.localeCompare(b.kind) ||
      key(a).localeCompare(key(b)),
  );
}
