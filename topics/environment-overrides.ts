import { days } from "./durations.ts";
import type { Environment } from "./types.ts";

/**
 * The one place where environments differ in topic settings. Production keeps the catalog
 * values; lower environments cap retention so their disks stay small. Partition counts and
 * replication are the same everywhere, so behaviour (ordering, parallelism, fault tolerance)
 * tested in dev is the behaviour of production.
 */
export interface EnvironmentTopicOverrides {
  /** Retention is lowered to this value when the catalog asks for more. */
  readonly maxRetentionMs?: number;
}

export const environmentTopicOverrides: Readonly<Record<Environment, EnvironmentTopicOverrides>> = {
  dev: { maxRetentionMs: days(3) },
  staging: { maxRetentionMs: days(14) },
  prod: {},
};
