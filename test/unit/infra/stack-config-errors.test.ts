import { describe, expect, it } from "vitest";
import { listStacks } from "../../../infra/config/load.ts";
import type { ValidationError } from "../../../topics/validation-error.ts";
import { runProgram, stackFileValues } from "./support/pulumi-harness.ts";

const stack = listStacks()[0]!;
const file = `Pulumi.${stack}.yaml`;

async function failure(values: Record<string, unknown>): Promise<ValidationError> {
  try {
    await runProgram({ stack, values });
  } catch (e) {
    // The program runs in a fresh module registry, so compare by shape, not by class identity.
    expect((e as Error).name).toBe("ValidationError");
    expect(Array.isArray((e as ValidationError).issues)).toBe(true);
    return e as ValidationError;
  }
  throw new Error("the program accepted bad config");
}

describe("bad stack config under Pulumi", () => {
  it("fails with the stack file, the field path and the allowed values", async () => {
    const values = stackFileValues(stack);
    const error = await failure({ ...values, topicManagement: "both" });
    expect(error.issues).toContainEqual({
      file,
      path: "topicManagement",
      message: 'got "both"',
      allowed: ["strimzi", "kafka-provider"],
    });
  });

  it("reports an unknown key with the fields allowed (the same schema as render)", async () => {
    const error = await failure({ ...stackFileValues(stack), protectdata: true });
    const issue = error.issues.find((i) => i.path === "protectdata");
    expect(issue?.file).toBe(file);
    expect(issue?.allowed).toContain("protectData");
  });

  it("requires the admin password secret on the kafka-provider path", async () => {
    const error = await failure({
      ...stackFileValues(stack),
      topicManagement: "kafka-provider",
      kafkaProvider: {
        bootstrapServers: ["kafka.example:9096"],
        tlsEnabled: true,
        adminUsername: "admin",
      },
    });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      file,
      path: "config.kafka-platform:kafkaProviderAdminPassword",
    });
  });
});
