import { readsAsGroup } from "../topics/resolve.ts";
import type { ServiceDefinition } from "./types.ts";

/**
 * Consumer-lag service levels, from the seed: the target is lag under 1,000 messages; the alert
 * thresholds are separate (10,000 warning, 100,000 critical). A service may override them in its
 * catalog entry (`lag` in acl/services.ts) with a stated reason.
 */
export const LAG_TARGET = 1_000;
export const LAG_WARNING = 10_000;
export const LAG_CRITICAL = 100_000;

export interface LagObjective {
  /** The consumer group (the service's name). */
  readonly group: string;
  /** Lag the group should stay under: the dashboards show the time spent above it. */
  readonly target: number;
  readonly warning: number;
  readonly critical: number;
  /** Why this group differs from the defaults; absent for the defaults. */
  readonly reason?: string;
}

/** The objective of every service that reads as a group, sorted by group. */
export function lagObjectives(serviceList: readonly ServiceDefinition[]): LagObjective[] {
  return serviceList
    .filter(readsAsGroup)
    .map((s) => ({
      group: s.name,
      target: s.lag?.target ?? LAG_TARGET,
      warning: s.lag?.warning ?? LAG_WARNING,
      critical: s.lag?.critical ?? LAG_CRITICAL,
      ...(s.lag !== undefined ? { reason: s.lag.reason } : {}),
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
}
