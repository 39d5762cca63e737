import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^"']*?\sfrom\s+)?["']([^"']+)["']/gm;

/** Every file and package the client entry point loads at run time (type-only imports excluded). */
function runtimeGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = match[1] ?? "";
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else
        packages.add(
          spec.startsWith("@")
            ? spec.split("/").slice(0, 2).join("/")
            : (spec.split("/")[0] ?? spec),
        );
    }
  };
  visit(resolve(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe("kafka-platform/client at run time", () => {
  it("loads only client/, the pure catalog, one Kafka library and zod — no Pulumi, cdk8s, infra/, charts/ or local/", () => {
    const { files, packages } = runtimeGraph("client/index.ts");
    expect(files.filter((f) => !/^(client|topics|acl)\//.test(f))).toEqual([]);
    expect(files).toContain("topics/events/registry.ts");
    expect(packages).toEqual([
      "@confluentinc/kafka-javascript",
      "node:crypto",
      "node:fs",
      "node:path",
      "node:timers",
      "zod",
    ]);
  });
});
