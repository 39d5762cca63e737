import { schemaRegistryNamespace, type PlatformModel } from "../charts/model.ts";
import { SCHEMA_REGISTRY_NAME } from "../charts/schema-registry-chart.ts";
import { controllerCount } from "../charts/node-pools.ts";
import { lagObjectives } from "../acl/lag-objectives.ts";
import { services } from "../acl/services.ts";
import type { AlertContext } from "./types.ts";

/** The alert context of a stack: cluster identity, pool sizes, the catalog's consumer groups. */
export function alertContextFromModel(model: PlatformModel): AlertContext {
  const { config } = model;
  const consumerGroups = [
    ...new Set(
      model.access.map((a) => a.consumerGroup).filter((g): g is string => g !== undefined),
    ),
  ].sort();
  return {
    namespace: config.kubernetes.namespace,
    cluster: config.cluster.name,
    brokerReplicas: config.cluster.brokers.replicas,
    controllerReplicas: controllerCount(config),
    consumerGroups,
    lagObjectives: lagObjectives(services).filter((o) => consumerGroups.includes(o.group)),
    ...(config.schemaRegistry.enabled
      ? {
          schemaRegistry: {
            namespace: schemaRegistryNamespace(config),
            job: `${schemaRegistryNamespace(config)}/${SCHEMA_REGISTRY_NAME}`,
            replicas: config.schemaRegistry.replicas,
          },
        }
      : {}),
    // Only where the stack receives: the region that only serves runs no MirrorMaker.
    ...(config.mirrorMaker.enabled && (model.mirror?.inbound.length ?? 0) > 0
      ? {
          mirrorMaker: {
            replicas: config.mirrorMaker.replicas,
            rpoSeconds: config.mirrorMaker.rpoSeconds ?? 0,
            syncSeconds: Number(
              model.mirror?.inbound[0]?.checkpointConnector[
                "sync.group.offsets.interval.seconds"
              ] ?? 10,
            ),
            heartbeatTopics: (model.mirror?.inbound ?? []).map((f) => f.remoteHeartbeats),
          },
        }
      : {}),
  };
}
