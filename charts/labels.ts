import type { PlatformModel } from "./model.ts";

/** Label every Strimzi resource of a cluster carries, so the operator picks it up. */
export const STRIMZI_CLUSTER_LABEL = "strimzi.io/cluster";

/** Labels on every object this repository renders: who owns it and which stack it belongs to. */
export function platformLabels(model: PlatformModel): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "kafka-platform",
    "app.kubernetes.io/part-of": "kafka-platform",
    "kafka-platform.chat/environment": model.config.environment,
    "kafka-platform.chat/region": model.config.region,
  };
}

/** Labels for a resource the Strimzi operator reconciles as part of the stack's cluster. */
export function strimziLabels(model: PlatformModel): Record<string, string> {
  return { ...platformLabels(model), [STRIMZI_CLUSTER_LABEL]: model.config.cluster.name };
}
