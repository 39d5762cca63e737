/** Small statistics helpers for the benchmarks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarize(samples: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  };
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "n/a";

/** A 1 KiB value whose first 8 bytes carry the send time (ms, float64) for end-to-end latency. */
export function timedValue(size: number, fill: Buffer): Buffer {
  const value = Buffer.allocUnsafe(size);
  fill.copy(value, 0, 0, size);
  value.writeDoubleBE(performance.timeOrigin + performance.now(), 0);
  return value;
}

export function sentAt(value: Buffer): number {
  return value.readDoubleBE(0);
}

export const nowMs = (): number => performance.timeOrigin + performance.now();
