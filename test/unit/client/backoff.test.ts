import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay } from "../../../client/backoff.ts";

const policy = { initialMs: 100, maxMs: 1_000, multiplier: 2 };

describe("backoff", () => {
  it("doubles the ceiling per attempt up to the maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, policy))).toEqual([
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

  it("refuses attempt numbers below 1", () => {
    expect(() => backoffCeiling(0, policy)).toThrow(/attempt must be a whole number ≥ 1, got 0/);
  });
});
