import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStrimziCrds, normalizeCrd, strimziRelease } from "../../../infra/strimzi-release.ts";

const CRDS = join(strimziRelease.chartDir, "crds");

function clusterSecurity(crds: ReturnType<typeof loadStrimziCrds>): unknown {
  const kafka = crds.find((c) => c.metadata.name === "kafkas.kafka.strimzi.io") as unknown as {
    spec: {
      versions: {
        schema: {
          openAPIV3Schema: { properties: { status: { properties: Record<string, unknown> } } };
        };
      }[];
    };
  };
  return kafka.spec.versions[0]!.schema.openAPIV3Schema.properties.status.properties[
    "clusterSecurity"
  ];
}

describe("the pinned Strimzi CRDs", () => {
  it("are the release's ten CRDs, and the files match the pinned checksum", () => {
    const crds = loadStrimziCrds();
    expect(crds).toHaveLength(10);
    expect(new Set(crds.map((c) => c.kind))).toEqual(new Set(["CustomResourceDefinition"]));
  });

  it("drop the empty properties map the API server drops (Kafka status.clusterSecurity)", () => {
    const raw = readFileSync(join(CRDS, "040-Crd-kafka.yaml"), "utf8");
    expect(raw).toContain("properties: {}");
    const security = clusterSecurity(loadStrimziCrds()) as Record<string, unknown>;
    expect(security).toBeDefined();
    expect(security).not.toHaveProperty("properties");
  });

  it("normalize nothing else: non-empty properties and other empty maps stay", () => {
    const schema = {
      properties: { a: { type: "object", properties: {} }, properties: { type: "string" } },
      status: {},
    };
    expect(normalizeCrd(schema)).toEqual({
      properties: { a: { type: "object" }, properties: { type: "string" } },
      status: {},
    });
  });

  it("refuse files that are not the pinned release, naming the folder and both checksums", () => {
    const dir = mkdtempSync(join(tmpdir(), "crds-"));
    cpSync(CRDS, dir, { recursive: true });
    writeFileSync(
      join(dir, "044-Crd-kafkauser.yaml"),
      `${readFileSync(join(dir, "044-Crd-kafkauser.yaml"), "utf8")}\n# edited\n`,
    );
    expect(() => loadStrimziCrds(dir)).toThrow(
      new RegExp(
        `the Strimzi CRDs in ${dir} are not the pinned 1\\.2\\.0 release: sha256 [0-9a-f]{64}, pinned ${strimziRelease.crdsSha256}`,
      ),
    );
  });

  it("name the missing folder", () => {
    expect(() => loadStrimziCrds("/nonexistent/crds")).toThrow("no folder /nonexistent/crds");
  });
});
