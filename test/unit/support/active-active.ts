import type { StackConfig } from "../../../infra/config/schema.ts";

/**
 * A production stack's config switched to MirrorMaker 2 active-active (prefixed names), with
 * its broker volumes set to `size` when given: the capacity plan counts the peer's copies, and
 * production's 3Ti volumes do not hold both regions' topics.
 */
export function activeActive(config: StackConfig, size?: string): StackConfig {
  const brokers = config.cluster.brokers;
  return {
    ...config,
    cluster: {
      ...config.cluster,
      brokers: { ...brokers, storage: { ...brokers.storage, size: size ?? brokers.storage.size } },
    },
    mirrorMaker: {
      ...config.mirrorMaker,
      mode: "active-active",
      replicationPolicy: "prefixed",
      role: undefined,
    },
  };
}
