import { deriveAllAccess } from "../acl/derive.ts";
import type { ServiceAccess } from "../acl/types.ts";
import type { LoadedStack } from "../infra/config/load.ts";
import type { StackConfig } from "../infra/config/schema.ts";
import {
  capacityPlan,
  formatBytes,
  formatCapacityTable,
  storageBytes,
  type CapacityPlan,
} from "../topics/capacity.ts";
import { resolveTopics } from "../topics/resolve.ts";
import { GIB } from "../topics/sizes.ts";
import type { ResolvedTopic } from "../topics/types.ts";
import { ValidationError } from "../topics/validation-error.ts";

/**
 * Everything a stack declares, resolved: its validated config, the concrete topics and every
 * service's access. The charts, the Pulumi program and the local tools all start from this,
 * so the catalog is the single source of truth for topics, users and ACLs.
 */
export interface PlatformModel {
  readonly stack: string;
  /** The stack file the config came from, for error messages. */
  readonly file: string;
  readonly config: StackConfig;
  readonly topics: readonly ResolvedTopic[];
  readonly access: readonly ServiceAccess[];
  /** Disk the catalog needs on each broker, against the brokers' volumes. */
  readonly capacity: CapacityPlan;
}

/** The stack's disk plan: the topics it resolves against its broker pool's volumes. */
export function stackCapacityPlan(
  config: StackConfig,
  topics: readonly ResolvedTopic[],
): CapacityPlan {
  const pool = config.cluster.brokers;
  return capacityPlan(
    topics,
    pool.replicas,
    storageBytes(pool.storage.size) * pool.storage.volumes,
  );
}

/**
 * Refuses a stack whose broker volumes cannot hold what its catalog keeps, naming the stack
 * file, the field, the figures and the per-topic table.
 */
function refuseTooSmallDisks(file: string, config: StackConfig, plan: CapacityPlan): void {
  if (plan.fits) return;
  const { storage } = config.cluster.brokers;
  const neededPerVolume = Math.ceil(plan.requiredPerBrokerBytes / storage.volumes / GIB);
  throw new ValidationError([
    {
      file,
      path: "config.kafka-platform:cluster.brokers.storage.size",
      message:
        `${storage.size} × ${storage.volumes} volume${storage.volumes === 1 ? "" : "s"} = ` +
        `${formatBytes(plan.brokerDiskBytes)} per broker cannot hold the catalog: it needs ` +
        `${formatBytes(plan.requiredPerBrokerBytes)} per broker; set at least ${neededPerVolume}Gi ` +
        `(or lower ingest, retention or retention.bytes in topics/catalog.ts)\n` +
        formatCapacityTable(plan)
          .split("\n")
          .map((l) => (l === "" ? "" : `      ${l}`))
          .join("\n"),
    },
  ]);
}

export function buildPlatformModel(
  loaded: Pick<LoadedStack, "stack" | "file" | "config">,
): PlatformModel {
  const topics = resolveTopics({
    environment: loaded.config.environment,
    tenants: loaded.config.tenants,
  });
  const access = deriveAllAccess();
  const capacity = stackCapacityPlan(loaded.config, topics);
  refuseTooSmallDisks(loaded.file, loaded.config, capacity);
  return {
    stack: loaded.stack,
    file: loaded.file,
    config: loaded.config,
    topics,
    access,
    capacity,
  };
}
