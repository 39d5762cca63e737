import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../../charts/model.ts";
import { listStacks, loadStack } from "../../../infra/config/load.ts";
import { checkAgainstLock, lockPath, writeLock } from "../../../topics/catalog-lock.ts";
import type { ResolvedTopic } from "../../../topics/types.ts";

const topicsOf = (stack: string): ResolvedTopic[] => [
  ...buildPlatformModel(loadStack(stack)).topics,
];

describe("catalog locks", () => {
  it.each(listStacks())("the committed lock of %s matches the catalog", (stack) => {
    const result = checkAgainstLock(stack, topicsOf(stack));
    expect(result.unacknowledged).toEqual([]);
    expect(result.stale, `topics/locks/${stack}.json is stale: run npm run catalog:lock`).toBe(
      false,
    );
  });

  it("blocks a dropped topic until it is acknowledged for that stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const topics = topicsOf("prod-eu-west-1");
    writeLock("prod-eu-west-1", topics, dir);
    const withoutAudit = topics.filter((t) => t.name !== "audit.log");

    const blocked = checkAgainstLock("prod-eu-west-1", withoutAudit, { dir, acknowledgements: [] });
    expect(blocked.unacknowledged.map((c) => `${c.topic}:${c.kind}`)).toEqual([
      "audit.log:topic-deleted",
    ]);

    const ackForOtherStack = [
      {
        stack: "staging",
        topic: "audit.log",
        kind: "topic-deleted" as const,
        change: "topic removed from the catalog",
        reason: "r",
        approvedBy: "a",
      },
    ];
    expect(
      checkAgainstLock("prod-eu-west-1", withoutAudit, { dir, acknowledgements: ackForOtherStack })
        .unacknowledged,
    ).toHaveLength(1);

    const ack = [
      {
        stack: "prod-eu-west-1",
        topic: "audit.log",
        kind: "topic-deleted" as const,
        change: "topic removed from the catalog",
        reason: "r",
        approvedBy: "a",
      },
    ];
    const allowed = checkAgainstLock("prod-eu-west-1", withoutAudit, {
      dir,
      acknowledgements: ack,
    });
    expect(allowed.unacknowledged).toEqual([]);
    expect(allowed.acknowledged.map((c) => c.topic)).toEqual(["audit.log"]);
    expect(allowed.stale).toBe(true);
  });

  it("an acknowledgement covers the exact change it names, not a deeper cut of the same topic", () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const topics = topicsOf("prod-us-east-1");
    writeLock("prod-us-east-1", topics, dir);
    const withRetention = (ms: string) =>
      topics.map((t) =>
        t.name === "audit.log" ? { ...t, config: { ...t.config, "retention.ms": ms } } : t,
      );
    const acknowledgements = [
      {
        stack: "prod-us-east-1",
        topic: "audit.log",
        kind: "retention-cut" as const,
        change: "retention.ms 31536000000 → 2592000000",
        reason: "365 d → 30 d agreed with compliance",
        approvedBy: "a",
      },
    ];
    const agreed = checkAgainstLock("prod-us-east-1", withRetention("2592000000"), {
      dir,
      acknowledgements,
    });
    expect(agreed.unacknowledged).toEqual([]);
    expect(agreed.acknowledged.map((c) => c.detail)).toEqual([
      "retention.ms 31536000000 → 2592000000",
    ]);

    const deeper = checkAgainstLock("prod-us-east-1", withRetention("86400000"), {
      dir,
      acknowledgements,
    });
    expect(deeper.acknowledged).toEqual([]);
    expect(deeper.unacknowledged.map((c) => c.detail)).toEqual([
      "retention.ms 31536000000 → 86400000",
    ]);
  });

  it("treats a retention cut in the lock as destructive and growth as merely stale", () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const topics = topicsOf("prod-us-east-1");
    writeLock("prod-us-east-1", topics, dir);
    const cut = topics.map((t) =>
      t.name === "audit.log" ? { ...t, config: { ...t.config, "retention.ms": "86400000" } } : t,
    );
    expect(
      checkAgainstLock("prod-us-east-1", cut, { dir, acknowledgements: [] }).unacknowledged[0],
    ).toMatchObject({
      topic: "audit.log",
      kind: "retention-cut",
      detail: "retention.ms 31536000000 → 86400000",
    });
    const grown = topics.map((t) =>
      t.name === "audit.log" ? { ...t, partitions: t.partitions + 4 } : t,
    );
    const result = checkAgainstLock("prod-us-east-1", grown, { dir, acknowledgements: [] });
    expect(result.unacknowledged).toEqual([]);
    expect(result.stale).toBe(true);
  });

  it("the lock records every stack's topics with replication factor 3 and min.insync.replicas 2", () => {
    for (const stack of listStacks()) {
      const locked = JSON.parse(readFileSync(lockPath(stack), "utf8")) as {
        topics: { replicationFactor: number; config: Record<string, string> }[];
      };
      for (const t of locked.topics) {
        expect(t.replicationFactor).toBe(3);
        expect(t.config["min.insync.replicas"]).toBe("2");
      }
    }
  });

  it("the --check command passes on the repository as committed and documents itself", () => {
    const out = execFileSync("tsx", ["scripts/catalog-lock.ts", "--check"], { encoding: "utf8" });
    expect(out).toContain("lock up to date");
    expect(
      execFileSync("tsx", ["scripts/catalog-lock.ts", "--help"], { encoding: "utf8" }),
    ).toContain("Usage: npm run catalog:lock");
  });
});
