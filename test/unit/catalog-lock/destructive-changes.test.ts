import { describe, expect, it } from "vitest";
import { findDestructiveChanges, type TopicSnapshot } from "../../../topics/destructive-changes.ts";

const topic = (
  over: Partial<TopicSnapshot> & { config?: Record<string, string> } = {},
): TopicSnapshot => ({
  name: "chat.events",
  partitions: 16,
  replicationFactor: 3,
  ...over,
  config: {
    "cleanup.policy": "delete",
    "min.insync.replicas": "2",
    "retention.ms": "604800000",
    ...over.config,
  },
});

describe("findDestructiveChanges", () => {
  it("finds nothing when only growing: more partitions, longer retention, new topics", () => {
    const before = [topic()];
    const after = [
      topic({ partitions: 24, config: { "retention.ms": "864000000" } }),
      topic({ name: "chat.new" }),
    ];
    expect(findDestructiveChanges(before, after)).toEqual([]);
  });

  it("reports a deleted topic", () => {
    expect(findDestructiveChanges([topic(), topic({ name: "audit.log" })], [topic()])).toEqual([
      { topic: "audit.log", kind: "topic-deleted", detail: "topic removed from the catalog" },
    ]);
  });

  it("reports fewer partitions", () => {
    const [change] = findDestructiveChanges([topic()], [topic({ partitions: 8 })]);
    expect(change).toMatchObject({
      topic: "chat.events",
      kind: "partitions-reduced",
      detail: "partitions 16 → 8",
    });
  });

  it("reports a retention cut, including from unlimited (-1) to finite", () => {
    expect(
      findDestructiveChanges([topic()], [topic({ config: { "retention.ms": "86400000" } })])[0]
        ?.kind,
    ).toBe("retention-cut");
    expect(
      findDestructiveChanges(
        [topic({ config: { "retention.ms": "-1" } })],
        [topic({ config: { "retention.ms": "604800000000" } })],
      )[0]?.kind,
    ).toBe("retention-cut");
  });

  it("reports weaker replication: lower replication factor or min.insync.replicas", () => {
    expect(findDestructiveChanges([topic()], [topic({ replicationFactor: 2 })])[0]?.kind).toBe(
      "replication-weakened",
    );
    expect(
      findDestructiveChanges([topic()], [topic({ config: { "min.insync.replicas": "1" } })])[0]
        ?.kind,
    ).toBe("replication-weakened");
  });

  it("reports a cleanup policy switch in either direction", () => {
    const compact = topic({ config: { "cleanup.policy": "compact" } });
    expect(findDestructiveChanges([topic()], [compact]).map((c) => c.kind)).toEqual([
      "cleanup-policy-changed",
    ]);
    expect(findDestructiveChanges([compact], [topic()]).map((c) => c.kind)).toEqual([
      "cleanup-policy-changed",
    ]);
  });

  it("lists several changes sorted by topic, then kind", () => {
    const before = [topic({ name: "b.topic" }), topic({ name: "a.topic" })];
    const after = [topic({ name: "b.topic", partitions: 1, replicationFactor: 1 })];
    expect(findDestructiveChanges(before, after).map((c) => `${c.topic}:${c.kind}`)).toEqual([
      "a.topic:topic-deleted",
      "b.topic:partitions-reduced",
      "b.topic:replication-weakened",
    ]);
  });
});
