import { describe, expect, it } from "vitest";
import type { ValidationError } from "../../../topics/validation-error.ts";
import { runProgram, stackFileValues } from "./support/pulumi-harness.ts";

async function programError(input: Parameters<typeof runProgram>[0]): Promise<Error> {
  try {
    await runProgram(input);
  } catch (e) {
    return e as Error;
  }
  throw new Error("the program accepted it");
}

describe("safety gates of the Pulumi program", () => {
  it("refuses a plain-text value for a secret key, naming the stack file and the key", async () => {
    const values = { ...stackFileValues("staging"), kubeconfig: "apiVersion: v1" };
    const error = (await programError({ stack: "staging", values })) as ValidationError;
    expect(error.name).toBe("ValidationError");
    expect(error.issues).toEqual([
      {
        file: "Pulumi.staging.yaml",
        path: "config.kafka-platform:kubeconfig",
        message: "must be a Pulumi secret (pulumi config set --secret), not a plain value",
      },
    ]);
  });

  it("accepts the same value as a secret", async () => {
    const run = await runProgram({
      stack: "staging",
      values: stackFileValues("staging"),
      secrets: { kubeconfig: "apiVersion: v1" },
    });
    expect(run.resources.length).toBeGreaterThan(0);
  });

  it("refuses to apply a catalog change that deletes topics against the stack's lock", async () => {
    // Dropping a tenant drops its chat.messages topic, which the committed lock records.
    const values = stackFileValues("prod-eu-west-1");
    const tenants = values["tenants"] as string[];
    const error = await programError({
      stack: "prod-eu-west-1",
      values: { ...values, tenants: tenants.filter((t) => t !== "globex") },
    });
    expect(error.message).toContain("refusing destructive topic changes");
    expect(error.message).toContain("prod-eu-west-1: chat.messages.globex: topic-deleted");
  });
});
