import { afterEach, describe, expect, it } from "vitest";
import { jitFlags, localJit } from "../../../local/java.ts";

describe("KP_LOCAL_JIT", () => {
  const saved = process.env.KP_LOCAL_JIT;
  afterEach(() => {
    if (saved === undefined) delete process.env.KP_LOCAL_JIT;
    else process.env.KP_LOCAL_JIT = saved;
  });

  it("is the tiered JIT when unset, empty or full: no flag", () => {
    for (const value of [undefined, "", "full"]) {
      if (value === undefined) delete process.env.KP_LOCAL_JIT;
      else process.env.KP_LOCAL_JIT = value;
      expect(localJit(), String(value)).toBe("full");
      expect(jitFlags(localJit())).toEqual([]);
    }
  });

  it("c1 stops the JVM at tier 1", () => {
    process.env.KP_LOCAL_JIT = "c1";
    expect(jitFlags(localJit())).toEqual(["-XX:TieredStopAtLevel=1"]);
  });

  it("refuses anything else, naming the variable and the allowed values", () => {
    process.env.KP_LOCAL_JIT = "C2";
    expect(() => localJit()).toThrow(
      'KP_LOCAL_JIT="C2" is not a JIT setting; allowed values: full, c1',
    );
  });
});
