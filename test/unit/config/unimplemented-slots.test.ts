import { describe, expect, it } from "vitest";
import { loadStack, parseStackConfig } from "../../../infra/config/load.ts";
import { ValidationError } from "../../../topics/validation-error.ts";

const base = loadStack("prod-us-east-1").config;

function issues(values: Record<string, unknown>): string[] {
  try {
    parseStackConfig(values, "Pulumi.x.yaml");
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe("config slots that nothing deploys yet", () => {
  it("refuses enabling MirrorMaker 2 or the Schema Registry, since no chart deploys them", () => {
    expect(issues({ ...base, mirrorMaker: { ...base.mirrorMaker, enabled: true } })).toEqual([
      "mirrorMaker.enabled: is not implemented yet: no chart deploys it (see docs/stack-config.md); allowed: false",
    ]);
    expect(issues({ ...base, schemaRegistry: { ...base.schemaRegistry, enabled: true } })).toEqual([
      "schemaRegistry.enabled: is not implemented yet: no chart deploys it (see docs/stack-config.md); allowed: false",
    ]);
  });

  it("requires the kubeconfig context, so no stack deploys to the ambient cluster", () => {
    const kubernetes: Partial<typeof base.kubernetes> = { ...base.kubernetes };
    delete kubernetes.context;
    expect(issues({ ...base, kubernetes })).toEqual(["kubernetes.context: is required (string)"]);
  });
});
