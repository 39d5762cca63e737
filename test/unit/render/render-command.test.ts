import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { validationErrors, type ObjectLike } from "../../../charts/crd-schema-validator.ts";
import { filesUnder, runRender } from "./run-render.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "kafka-platform-render-"));
  dirs.push(d);
  return d;
}

function objectsIn(file: string): ObjectLike[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as ObjectLike | null)
    .filter((o): o is ObjectLike => o !== null);
}

// Child processes: generous timeouts, since CI machines may be busy (speed is not what these test).
describe("npm run render", { timeout: 240_000 }, () => {
  it("--help explains the command and its options", async () => {
    const run = await runRender(["--help"]);
    expect(run.status).toBe(0);
    for (const text of ["--stack <name>", "--out <dir>", "--dry-run", "default: dev"]) {
      expect(run.stdout).toContain(text);
    }
  });

  it("rejects an unknown option with exit 2 and the usage", async () => {
    const run = await runRender(["--stak", "dev"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--stak'");
    expect(run.stderr).toContain("Usage:");
  });

  it("rejects an unknown stack, listing the stacks there are, and writes nothing", async () => {
    const out = tempDir();
    const run = await runRender(["--stack", "qa", "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no stack "qa"');
    expect(run.stderr).toContain("allowed: dev, local, prod-eu-west-1, prod-us-east-1, staging");
    expect(filesUnder(out)).toEqual([]);
  });

  it("writes prod-eu-west-1 as one file per chart, every object valid, the same bytes twice", async () => {
    const [a, b] = [tempDir(), tempDir()];
    const [runA, runB] = await Promise.all([
      runRender(["--stack", "prod-eu-west-1", "--out", a]),
      runRender(["--stack", "prod-eu-west-1", "--out", b]),
    ]);
    expect(runA.stderr).toBe("");
    expect(runA.status).toBe(0);
    expect(runB.status).toBe(0);
    const files = filesUnder(a);
    expect(files).toEqual(
      expect.arrayContaining([
        "prod-eu-west-1/kafka-cluster.yaml",
        "prod-eu-west-1/kafka-topics.yaml",
        "prod-eu-west-1/kafka-users.yaml",
      ]),
    );
    expect(filesUnder(b)).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(b, f), "utf8"), f).toBe(readFileSync(join(a, f), "utf8"));
      expect(validationErrors(objectsIn(join(a, f))), f).toEqual([]);
    }
    // The summary counts objects per kind.
    expect(runA.stdout).toMatch(/KafkaTopic \(kafka\.strimzi\.io\/v1\)\s+\d+/);
    expect(runA.stdout).toMatch(/KafkaNodePool \(kafka\.strimzi\.io\/v1\)\s+2/);
    expect(runA.stdout).toMatch(/is empty: all \d+ objects are new/);
  });

  it("--dry-run writes nothing and shows what is added, changed and removed; a real run restores", async () => {
    const out = tempDir();
    const first = await runRender(["--stack", "dev", "--out", out]);
    expect(first.status).toBe(0);
    const before = Object.fromEntries(
      filesUnder(out).map((f) => [f, readFileSync(join(out, f), "utf8")] as const),
    );

    // Pretend the previous render had a smaller broker disk, a stale object, and no audit.log.
    const cluster = join(out, "dev/kafka-cluster.yaml");
    writeFileSync(
      cluster,
      before["dev/kafka-cluster.yaml"]!.replace("size: 20Gi", "size: 10Gi") +
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stale\n  namespace: kafka\n",
    );
    const topics = join(out, "dev/kafka-topics.yaml");
    const docs = before["dev/kafka-topics.yaml"]!.split("---\n");
    writeFileSync(
      topics,
      docs.filter((d) => !d.includes("name: audit.log\n")).join("---\n") +
        "---\napiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata:\n  name: old.topic\n  namespace: kafka\nspec:\n  partitions: 1\n",
    );
    const edited = Object.fromEntries(
      filesUnder(out).map((f) => [f, readFileSync(join(out, f), "utf8")] as const),
    );

    const run = await runRender(["--stack", "dev", "--out", out, "--dry-run"]);
    expect(run.status).toBe(0);
    // The broker pool's disk is the only change: both runs render the same sources.
    expect(run.stdout).toMatch(/: 1 added, 1 changed, 2 removed,/);
    expect(run.stdout).toContain("+ KafkaTopic kafka/audit.log");
    expect(run.stdout).toContain("- ConfigMap kafka/stale\n");
    // Removing a topic deletes its messages: the plan says so.
    expect(run.stdout).toContain("- KafkaTopic kafka/old.topic  (! deletes data when applied)");
    // dev runs one dual-role pool (nodePools: combined).
    expect(run.stdout).toContain("~ KafkaNodePool kafka/dual-role");
    expect(run.stdout).toMatch(/- +size: 10Gi\n.*\+ +size: 20Gi/);
    expect(run.stdout).toContain("dry run: nothing written");
    for (const [f, text] of Object.entries(edited)) {
      expect(readFileSync(join(out, f), "utf8"), f).toBe(text);
    }

    // Rendering for real restores exactly the first render.
    const again = await runRender(["--stack", "dev", "--out", out]);
    expect(again.status).toBe(0);
    for (const [f, text] of Object.entries(before)) {
      expect(readFileSync(join(out, f), "utf8"), f).toBe(text);
    }
  });
});
