import { setTimeout as delay } from "node:timers/promises";

/** Exponential backoff between handler attempts (the library retries requests, not handlers). */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxMs: number;
  /** Growth per attempt (2 doubles the ceiling each time). */
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, multiplier: 2 };

/**
 * The delay before retry number `attempt` (1-based): uniform between half the ceiling
 * `min(maxMs, initialMs * multiplier^(attempt-1))` and the ceiling ("equal jitter").
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}
