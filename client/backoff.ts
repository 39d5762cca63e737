/** Exponential backoff with full jitter, bounded by a maximum delay. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxMs: number;
  /** Growth per attempt (2 doubles the ceiling each time). */
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, multiplier: 2 };

/** The ceiling of the delay before retry number `attempt` (1-based). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number ≥ 1, got ${attempt}`);
  }
  return Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** (attempt - 1));
}

/**
 * The delay before retry number `attempt`: uniform in [ceiling/2, ceiling] ("equal jitter"),
 * so retries of many consumers spread out yet never collapse to zero.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(attempt, policy);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    // The listener goes when the time is up: a long-lived signal does not collect them.
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
