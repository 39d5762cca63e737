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
  it("accepts MirrorMaker 2, which charts/mirror-maker-chart.ts deploys, and refuses it half-configured", () => {
    expect(issues({ ...base, mirrorMaker: { ...base.mirrorMaker, enabled: true } })).toEqual([]);
    expect(issues({ ...base, mirrorMaker: { enabled: true, replicas: 2 } })).toEqual(
      ["mode", "replicationPolicy", "peers", "topics", "rpoSeconds", "listener"].map(
        (f) => `mirrorMaker.${f}: is required when enabled`,
      ),
    );
  });

  it("accepts enabling the Schema Registry, which charts/schema-registry-chart.ts deploys", () => {
    expect(issues({ ...base, schemaRegistry: { ...base.schemaRegistry, enabled: true } })).toEqual(
      [],
    );
  });

  it("requires the kubeconfig context, so no stack deploys to the ambient cluster", () => {
    const kubernetes: Partial<typeof base.kubernetes> = { ...base.kubernetes };
    delete kubernetes.context;
    expect(issues({ ...base, kubernetes })).toEqual(["kubernetes.context: is required (string)"]);
  });
});
