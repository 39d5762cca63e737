import { beforeAll, describe, expect, it } from "vitest";
import { listStacks, loadStack } from "../../../infra/config/load.ts";
import { runProgram, stackFileValues, type ProgramRun } from "./support/pulumi-harness.ts";

// A protected stack file (staging or prod) with protectData switched off: the documented way
// to lift protection before a deliberate teardown.
const stack = listStacks().find((s) => loadStack(s).config.protectData)!;

describe(`protectData: false on ${stack}`, () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram({ stack, values: { ...stackFileValues(stack), protectData: false } });
  });

  it("registers nothing protected", () => {
    expect(run.resources.length).toBeGreaterThan(0);
    expect(run.resources.filter((r) => r.protect).map((r) => r.urn)).toEqual([]);
    expect(run.outputs["dataProtected"]).toBe(false);
  });

  it("keeps the same resources, so lifting protection replaces nothing", async () => {
    const protectedRun = await runProgram({ stack, values: stackFileValues(stack) });
    expect(run.resources.map((r) => r.urn).sort()).toEqual(
      protectedRun.resources.map((r) => r.urn).sort(),
    );
    expect(protectedRun.resources.filter((r) => r.protect).length).toBeGreaterThan(0);
  });
});
