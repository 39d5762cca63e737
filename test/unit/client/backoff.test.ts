import { describe, expect, it } from "vitest";
import { backoffDelay, sleep } from "../../../client/library.ts";

const policy = { initialMs: 100, maxMs: 1_000, multiplier: 2 };

describe("backoff", () => {
  it("doubles the ceiling per attempt up to the maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("jitters between half the ceiling and the ceiling", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(400);
    expect(backoffDelay(9, policy, () => 1)).toBe(1000);
  });

  it("spreads delays for the same attempt", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(400);
  });

  it("sleeps until the time is up, or less when its signal aborts", async () => {
    const abort = new AbortController();
    const started = performance.now();
    const waiting = sleep(10_000, abort.signal);
    setTimeout(() => abort.abort(), 20);
    await waiting;
    expect(performance.now() - started).toBeLessThan(1_000);
    const timed = performance.now();
    await sleep(30);
    expect(performance.now() - timed).toBeGreaterThanOrEqual(25);
  });
});
