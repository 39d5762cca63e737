import type { Construct } from "constructs";
import {
  KafkaNodePool,
  KafkaNodePoolSpecResourcesLimits,
  KafkaNodePoolSpecResourcesRequests,
  KafkaNodePoolSpecRoles,
  KafkaNodePoolSpecStorageType,
  KafkaNodePoolSpecStorageVolumesKraftMetadata,
  KafkaNodePoolSpecStorageVolumesType,
  type KafkaNodePoolSpecStorageVolumes,
} from "./imports/kafka.strimzi.io.ts";
import { strimziLabels } from "./labels.ts";
import type { PlatformModel } from "./model.ts";
import type { StackConfig } from "../infra/config/schema.ts";

type PoolConfig = StackConfig["cluster"]["brokers"];

/**
 * The two node pools: controllers (the KRaft quorum) and brokers. Node ids are kept in
 * disjoint ranges so pods are predictably `<cluster>-controllers-0..2` and `<cluster>-brokers-100..102`.
 */
export const NODE_POOLS = [
  { name: "controllers", role: KafkaNodePoolSpecRoles.CONTROLLER, nodeIds: "[0-99]" },
  { name: "brokers", role: KafkaNodePoolSpecRoles.BROKER, nodeIds: "[100-199]" },
] as const;

/** JBOD volumes; the first also holds the KRaft metadata log. */
function volumes(pool: PoolConfig): KafkaNodePoolSpecStorageVolumes[] {
  return Array.from({ length: pool.storage.volumes }, (_, id) => ({
    id,
    type: KafkaNodePoolSpecStorageVolumesType.PERSISTENT_HYPHEN_CLAIM,
    size: pool.storage.size,
    ...(pool.storage.class !== undefined ? { class: pool.storage.class } : {}),
    deleteClaim: pool.storage.deleteClaim,
    ...(id === 0 ? { kraftMetadata: KafkaNodePoolSpecStorageVolumesKraftMetadata.SHARED } : {}),
  }));
}

function resources(pool: PoolConfig): {
  requests: Record<string, KafkaNodePoolSpecResourcesRequests>;
  limits: Record<string, KafkaNodePoolSpecResourcesLimits>;
} {
  const { requests, limits } = pool.resources;
  return {
    requests: {
      cpu: KafkaNodePoolSpecResourcesRequests.fromString(requests.cpu),
      memory: KafkaNodePoolSpecResourcesRequests.fromString(requests.memory),
    },
    limits: {
      ...(limits.cpu !== undefined
        ? { cpu: KafkaNodePoolSpecResourcesLimits.fromString(limits.cpu) }
        : {}),
      memory: KafkaNodePoolSpecResourcesLimits.fromString(limits.memory),
    },
  };
}

export function addNodePools(scope: Construct, model: PlatformModel): KafkaNodePool[] {
  const { cluster } = model.config;
  return NODE_POOLS.map((p) => {
    const pool: PoolConfig =
      p.role === KafkaNodePoolSpecRoles.BROKER ? cluster.brokers : cluster.controllers;
    return new KafkaNodePool(scope, `pool-${p.name}`, {
      metadata: {
        name: p.name,
        labels: strimziLabels(model),
        annotations: { "strimzi.io/next-node-ids": p.nodeIds },
      },
      spec: {
        replicas: pool.replicas,
        roles: [p.role],
        storage: { type: KafkaNodePoolSpecStorageType.JBOD, volumes: volumes(pool) },
        resources: resources(pool),
        jvmOptions: { xms: pool.heap, xmx: pool.heap },
      },
    });
  });
}
