import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Charts from "../../../charts/index.ts";
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
    expect(error.message).toContain("destructive topic change without acknowledgement");
    expect(error.message).toContain("prod-eu-west-1: chat.messages.globex: topic-deleted");
  });

  describe("runs the checks render runs (charts/stack-build.ts), before any resource", () => {
    // A chart that renders a bad object: the program must refuse it as render does.
    function renderWith(tamper: (objects: Charts.K8sObject[]) => void): void {
      vi.doMock("../../../charts/index.ts", async (importOriginal) => {
        const real = await importOriginal<typeof Charts>();
        return {
          ...real,
          renderStack: (model: Parameters<typeof real.renderStack>[0]) => {
            const charts = real.renderStack(model);
            tamper(charts.flatMap((c) => c.objects));
            return charts;
          },
        };
      });
    }
    afterEach(() => {
      vi.doUnmock("../../../charts/index.ts");
    });

    it("refuses an object the Strimzi CRD schema rejects", async () => {
      renderWith((objects) => {
        const topic = objects.find((o) => o.kind === "KafkaTopic")!;
        (topic["spec"] as Record<string, unknown>)["partitions"] = "many";
      });
      const error = await programError({
        stack: "staging",
        values: stackFileValues("staging"),
        secrets: { kubeconfig: "apiVersion: v1" },
      });
      expect(error.message).toContain("rendered object problem");
      expect(error.message).toMatch(
        /KafkaTopic\/kafka\/\S+: \$\.spec\.partitions: must be integer/,
      );
    });

    it("refuses secret material in a rendered object", async () => {
      renderWith((objects) => {
        const config = objects.find((o) => o.kind === "ConfigMap")!;
        config["data"] = { password: "hunter2" };
      });
      const error = await programError({
        stack: "staging",
        values: stackFileValues("staging"),
        secrets: { kubeconfig: "apiVersion: v1" },
      });
      expect(error.message).toContain("secret material must never be rendered");
      expect(error.message).not.toContain("hunter2");
    });
  });
});
