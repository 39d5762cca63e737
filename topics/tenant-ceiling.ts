import type { ResolvedTopic } from "./types.ts";

/**
 * How many tenants one cluster can carry before its brokers hold more partition replicas than
 * they are planned for (docs/decisions/0010-tenant-ceiling.md). Each tenant brings its own
 * `chat.messages.<tenant>` (32 partitions × RF 3 = 96 replicas in the cluster: 32 on each of 3
 * brokers). Pure: the model enforces it, the docs and `npm run capacity` quote it.
 */

/**
 * Partition replicas a broker is planned to hold (leaders and followers). Well under the few
 * thousand a KRaft broker handles, so that a broker restart (log recovery, leader moves) stays
 * in minutes on 4-core brokers and one broker can take a failed peer's leaders.
 */
export const PARTITION_REPLICA_BUDGET_PER_BROKER = 2_000;

/** Kafka's internal topics, at the broker defaults this project keeps (RF 3). */
export const INTERNAL_TOPIC_PARTITIONS = {
  __consumer_offsets: 50,
  __transaction_state: 50,
} as const;

export interface TenantCeiling {
  readonly budgetPerBroker: number;
  /** Replicas per broker of everything that is not a tenant's (internal topics included). */
  readonly fixedPerBroker: number;
  /** Replicas per broker one tenant adds. */
  readonly perTenantPerBroker: number;
  /** The most tenants the budget allows. */
  readonly maxTenants: number;
  /** Replicas per broker at the stack's tenant count. */
  readonly atTenants: (tenants: number) => number;
}

export function tenantCeiling(
  topics: readonly ResolvedTopic[],
  tenants: number,
  brokers: number,
  replicationFactor: number,
): TenantCeiling {
  const perBroker = (partitions: number, rf: number): number => (partitions * rf) / brokers;
  const tenantTopics = topics.filter((t) => t.family === "per-tenant");
  const fixed =
    topics
      .filter((t) => t.family !== "per-tenant")
      .reduce((n, t) => n + perBroker(t.partitions, t.replicationFactor), 0) +
    Object.values(INTERNAL_TOPIC_PARTITIONS).reduce(
      (n, p) => n + perBroker(p, replicationFactor),
      0,
    );
  const perTenant =
    tenants === 0
      ? 0
      : tenantTopics.reduce((n, t) => n + perBroker(t.partitions, t.replicationFactor), 0) /
        tenants;
  const maxTenants =
    perTenant === 0
      ? Number.POSITIVE_INFINITY
      : Math.floor((PARTITION_REPLICA_BUDGET_PER_BROKER - fixed) / perTenant);
  return {
    budgetPerBroker: PARTITION_REPLICA_BUDGET_PER_BROKER,
    fixedPerBroker: fixed,
    perTenantPerBroker: perTenant,
    maxTenants,
    atTenants: (n) => fixed + perTenant * n,
  };
}
