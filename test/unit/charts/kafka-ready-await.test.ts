import { describe, expect, it } from "vitest";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";

/**
 * The Kafka resource makes `pulumi up` wait for Strimzi's `Ready` condition (the kubernetes
 * provider's `pulumi.com/waitFor`), so the cluster CA read after it never races the operator on
 * a new cluster (the live proof is test/control-plane/kafka-ready-wait.test.ts). Only the local
 * stack, where no operator pod runs, leaves it out.
 */
describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (stack, rendered) => {
  const [kafka] = ofKind(rendered.objects, "Kafka");
  const annotations = field(kafka, "metadata", "annotations") as Record<string, string> | undefined;

  if (stack === "local") {
    it("has no await annotation: nothing would ever mark the cluster Ready", () => {
      expect(rendered.model.config.operator.awaitReady).toBe(false);
      expect(annotations ?? {}).not.toHaveProperty("pulumi.com/waitFor");
    });
  } else {
    it("waits up to 30 minutes for the Ready condition", () => {
      expect(annotations).toEqual({
        "pulumi.com/waitFor": "condition=Ready",
        "pulumi.com/timeoutSeconds": "1800",
      });
    });
  }
});

/**
 * The registry's Deployment and Service: the provider waits for their rollout and endpoints,
 * which never come where no pod runs; the local stack's `pulumi up` then hung until its
 * timeout. Only there do they carry `pulumi.com/skipAwait`.
 */
describe.each(renderedStacks().map((s) => [s.stack, s] as const))(
  "stack %s, Schema Registry workload",
  (stack, rendered) => {
    const workload = rendered.objects.filter(
      (o) =>
        (o.kind === "Deployment" || o.kind === "Service") && o.metadata.name === "schema-registry",
    );

    it(stack === "local" ? "skips the provider's await" : "keeps the provider's await", () => {
      expect(workload.map((o) => o.kind).sort()).toEqual(["Deployment", "Service"]);
      for (const o of workload) {
        const skip = field(o, "metadata", "annotations", "pulumi.com/skipAwait");
        expect(skip, `${o.kind} of ${stack}`).toBe(stack === "local" ? "true" : undefined);
      }
    });
  },
);
