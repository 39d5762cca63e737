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
  type KafkaNodePoolSpecTemplatePodAffinity,
  type KafkaNodePoolSpecTemplatePodTopologySpreadConstraints,
} from "./imports/kafka.strimzi.io.ts";
import { STRIMZI_CLUSTER_LABEL, strimziLabels } from "./labels.ts";
import type { PlatformModel } from "./model.ts";
import type { StackConfig } from "../infra/config/schema.ts";

type PoolConfig = StackConfig["cluster"]["brokers"];

/** A node pool as the stack runs it. */
export interface NodePoolPlan {
  readonly name: string;
  readonly roles: readonly KafkaNodePoolSpecRoles[];
  /** Node id range (`strimzi.io/next-node-ids`); ranges never overlap across pools. */
  readonly nodeIds: string;
  readonly pool: PoolConfig;
}

/**
 * The node pools of a stack. `separate` (staging, prod): controllers (the KRaft quorum) and
 * brokers, with disjoint node id ranges so pods are predictably `<cluster>-controllers-0..2`
 * and `<cluster>-brokers-100..102`. `combined` (dev, when the stack asks): one pool
 * `dual-role` whose nodes `<cluster>-dual-role-0..2` are brokers and controllers at once.
 */
export function nodePoolPlans(config: StackConfig): NodePoolPlan[] {
  const { cluster } = config;
  if (cluster.nodePools === "combined") {
    return [
      {
        name: "dual-role",
        roles: [KafkaNodePoolSpecRoles.CONTROLLER, KafkaNodePoolSpecRoles.BROKER],
        nodeIds: "[0-99]",
        pool: cluster.brokers,
      },
    ];
  }
  if (cluster.controllers === undefined) {
    throw new Error("nodePools separate without controllers: validate the stack config first");
  }
  return [
    {
      name: "controllers",
      roles: [KafkaNodePoolSpecRoles.CONTROLLER],
      nodeIds: "[0-99]",
      pool: cluster.controllers,
    },
    {
      name: "brokers",
      roles: [KafkaNodePoolSpecRoles.BROKER],
      nodeIds: "[100-199]",
      pool: cluster.brokers,
    },
  ];
}

/** How many KRaft controllers the stack runs, whichever the pool layout. */
export function controllerCount(config: StackConfig): number {
  return nodePoolPlans(config)
    .filter((p) => p.roles.includes(KafkaNodePoolSpecRoles.CONTROLLER))
    .reduce((n, p) => n + p.pool.replicas, 0);
}

/** Node label Kubernetes sets to the node's name. */
export const HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";

/**
 * Spread of one pool's pods (Strimzi adds no anti-affinity for `rack` since 0.49): at most
 * one more pod in any zone than in another, never scheduled otherwise; and the same over
 * nodes. With zones named, the pods may only run in those zones, and the zone spread counts
 * all of them (`minDomains`), so a zone without free nodes blocks scheduling instead of
 * doubling up in another zone.
 */
export function podScheduling(
  config: StackConfig,
  poolName: string,
): {
  topologySpreadConstraints: KafkaNodePoolSpecTemplatePodTopologySpreadConstraints[];
  affinity?: KafkaNodePoolSpecTemplatePodAffinity;
} {
  const { cluster } = config;
  const labelSelector = {
    matchLabels: { [STRIMZI_CLUSTER_LABEL]: cluster.name, "strimzi.io/pool-name": poolName },
  };
  const zones = cluster.zones ?? [];
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: cluster.rackTopologyKey,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector,
        ...(zones.length > 1 ? { minDomains: zones.length } : {}),
      },
      {
        maxSkew: 1,
        topologyKey: HOSTNAME_TOPOLOGY_KEY,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector,
      },
    ],
    ...(zones.length > 0
      ? {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: cluster.rackTopologyKey, operator: "In", values: [...zones] },
                    ],
                  },
                ],
              },
            },
          },
        }
      : {}),
  };
}

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
  return nodePoolPlans(model.config).map(
    (p) =>
      new KafkaNodePool(scope, `pool-${p.name}`, {
        metadata: {
          name: p.name,
          labels: strimziLabels(model),
          annotations: { "strimzi.io/next-node-ids": p.nodeIds },
        },
        spec: {
          replicas: p.pool.replicas,
          roles: [...p.roles],
          storage: { type: KafkaNodePoolSpecStorageType.JBOD, volumes: volumes(p.pool) },
          resources: resources(p.pool),
          jvmOptions: { xms: p.pool.heap, xmx: p.pool.heap },
          template: { pod: podScheduling(model.config, p.name) },
        },
      }),
  );
}
