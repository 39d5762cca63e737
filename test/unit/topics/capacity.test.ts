import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../infra/config/load.ts";
import { capacityPlan } from "../../../topics/capacity.ts";
import type { ResolvedTopic } from "../../../topics/types.ts";
import { tempStackRoot } from "../config/stack-mutations.ts";
import { modelIssues } from "../support/model-issues.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";
import { filesUnder, runRender } from "../render/run-render.ts";

/**
 * Issue 14, item 3: disks sized from the catalog. The expected figures are worked out by hand
 * here (in the comments), never taken from topics/capacity.ts.
 */
const GiB = 1024 ** 3;

const topic = (
  over: Partial<ResolvedTopic> & { config: Record<string, string> },
): ResolvedTopic => ({
  name: "t",
  source: "t",
  family: "single",
  partitions: 10,
  replicationFactor: 3,
  key: "k",
  description: "d",
  ingest: { avgBytesPerSec: 1024 * 1024, peakBytesPerSec: 4 * 1024 * 1024 },
  compressionRatio: 2,
  ...over,
});

describe("per-broker disk = ingest × retention × replicas ÷ brokers ÷ compression (+ open segments)", () => {
  it("sizes a time-bound topic", () => {
    // 1 MiB/s ÷ 2 (compression) ÷ 10 partitions = 52,428.8 B/s per partition.
    // 1 day: 52,428.8 × 86,400 = 4,529,848,320 B = 4.21875 GiB closed per partition.
    // Open segment: min(1 GiB, 7 days of 52,428.8 B/s = 29.5 GiB) = 1 GiB.
    // (4.21875 + 1) × 10 partitions × 3 replicas = 156.5625 GiB; ÷ 3 brokers = 52.1875 GiB.
    const plan = capacityPlan([topic({ config: { "retention.ms": "86400000" } })], 3, 100 * GiB);
    expect(plan.rows[0]!.perBrokerBytes / GiB).toBeCloseTo(52.1875, 6);
    expect(plan.rows[0]!.bytesPerDay).toBe(1024 * 1024 * 86_400);
    expect(plan.rows[0]!.shareOfBroker).toBeCloseTo(0.521875, 6);
    // Headroom 1.5: 78.28 GiB needed of 100 GiB.
    expect(plan.requiredPerBrokerBytes / GiB).toBeCloseTo(78.28125, 5);
    expect(plan.fits).toBe(true);
    // 78 GiB is below the 78.28 GiB needed.
    expect(
      capacityPlan([topic({ config: { "retention.ms": "86400000" } })], 3, 78 * GiB).fits,
    ).toBe(false);
  });

  it("caps a partition at retention.bytes when the time would keep more", () => {
    // 30 days would keep 126.6 GiB per partition; the 2 GiB cap plus the 1 GiB open segment
    // keep 3 GiB: × 10 × 3 ÷ 3 = 30 GiB per broker.
    const plan = capacityPlan(
      [
        topic({
          config: { "retention.ms": String(30 * 86_400_000), "retention.bytes": String(2 * GiB) },
        }),
      ],
      3,
      100 * GiB,
    );
    expect(plan.rows[0]!.perBrokerBytes / GiB).toBeCloseTo(30, 6);
    expect(plan.rows[0]!.capBinds).toBe(true);
  });
});

describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  it("caps the high-volume topics with retention.bytes per partition, and only them", () => {
    for (const t of ofKind(rendered.objects, "KafkaTopic")) {
      const name = String(field(t, "spec", "topicName"));
      const bytes = field(t, "spec", "config", "retention.bytes");
      if (name.startsWith("chat.messages."))
        expect(bytes).toBe("6442450944"); // 6 GiB
      else if (name === "analytics.events")
        expect(bytes).toBe("34359738368"); // 32 GiB
      // Unlimited, not a cap: Apicurio verifies its topics keep everything.
      else if (name.startsWith("schema-registry.")) expect(bytes).toBe("-1");
      else expect(bytes, name).toBeUndefined();
    }
  });

  it("has broker volumes that hold the catalog with headroom", () => {
    const c = rendered.model.capacity;
    expect(c.fits).toBe(true);
    expect(c.requiredPerBrokerBytes).toBeLessThanOrEqual(c.brokerDiskBytes);
  });
});

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function runCapacity(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "scripts", "capacity.ts"), ...args],
      { cwd: REPO_ROOT, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ status: code, stdout, stderr });
      },
    );
  });
}

describe("a stack whose volumes cannot hold its catalog", { timeout: 120_000 }, () => {
  // Prod keeps ~1.3 TiB per broker (npm run capacity); 1.3 × 1.5 = 1.96 TiB > 1 TiB.
  const mutations = [{ set: ["cluster", "brokers", "storage", "size"], value: "1Ti" }] as const;

  it("is refused by the model with file, field, the figures and the table", () => {
    const root = tempStackRoot("prod-us-east-1", mutations);
    roots.push(root);
    const [issue] = modelIssues("prod-us-east-1", root);
    expect(issue, "the model refuses the stack").toBeDefined();
    expect(issue?.file).toBe("Pulumi.prod-us-east-1.yaml");
    expect(issue?.path).toBe("config.kafka-platform:cluster.brokers.storage.size");
    expect(issue?.message).toContain(
      "1Ti × 1 volume = 1 TiB per broker cannot hold the catalog: it needs 1.96 TiB per broker",
    );
    expect(issue?.message).toMatch(/chat\.messages\.acme +32 +150 KiB/);
  });

  it("makes render exit 1, print the table and write nothing", async () => {
    const root = tempStackRoot("prod-us-east-1", mutations);
    roots.push(root);
    const run = await runRender([
      "--stack",
      "prod-us-east-1",
      "--root",
      root,
      "--out",
      join(root, "dist"),
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "Pulumi.prod-us-east-1.yaml: config.kafka-platform:cluster.brokers.storage.size: 1Ti",
    );
    expect(run.stderr).toContain("share of each broker");
    expect(run.stderr).toContain("DOES NOT FIT");
    expect(filesUnder(root)).toEqual(["Pulumi.prod-us-east-1.yaml"]);
  });

  it("makes npm run capacity exit 1 with the same table", async () => {
    const root = tempStackRoot("prod-us-east-1", mutations);
    roots.push(root);
    const run = await runCapacity(["--stack", "prod-us-east-1", "--root", root]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("DOES NOT FIT");
  });
});

describe("npm run capacity", { timeout: 120_000 }, () => {
  it("prints the per-topic table of a stack: partitions, bytes/day, disk, share of each broker", async () => {
    const run = await runCapacity(["--stack", "prod-us-east-1"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /topic +partitions +avg\/s +peak\/s +bytes\/day +retention +cap\/partition +disk \(all replicas\) +per broker +share of each broker/,
    );
    // chat.messages.acme: 150 KiB/s × 86,400 s = 12.36 GiB/day; 30 d ÷ 3 (compression) over
    // 32 partitions = 3.86 GiB closed + 0.9 GiB open each = 152 GiB per replica set and broker.
    expect(run.stdout).toMatch(
      /chat\.messages\.acme +32 +150 KiB +1\.5 MiB +12\.4 GiB +30 d +6 GiB +457 GiB +152 GiB +5\.0 %/,
    );
    expect(run.stdout).toContain("fits");
  });

  it("has --help and refuses an unknown option with usage", async () => {
    const help = await runCapacity(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: npm run capacity -- [--stack <name>]");
    const bad = await runCapacity(["--stak", "dev"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Usage:");
  });
});
