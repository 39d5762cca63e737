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
