import type { ResolvedTopic } from "./types.ts";

/** The parts of a topic whose change can lose data. */
export interface TopicSnapshot {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export type DestructiveChangeKind =
  | "topic-deleted"
  | "partitions-reduced"
  | "retention-cut"
  | "replication-weakened"
  | "cleanup-policy-changed";

export interface DestructiveChange {
  readonly topic: string;
  readonly kind: DestructiveChangeKind;
  /** Human-readable before → after. */
  readonly detail: string;
}

export function snapshotOf(topic: ResolvedTopic): TopicSnapshot {
  return {
    name: topic.name,
    partitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    config: topic.config,
  };
}

const num = (config: Readonly<Record<string, string>>, key: string): number | undefined => {
  const v = config[key];
  return v === undefined ? undefined : Number(v);
};

/** retention.ms and retention.bytes -1 mean "no limit"; anything finite is a cut from it. */
const retentionRank = (ms: number | undefined): number =>
  ms === undefined || ms < 0 ? Number.POSITIVE_INFINITY : ms;

/**
 * Compares what was applied (`before`) with what is now declared (`after`) and lists every
 * change that can lose data: a topic removed, fewer partitions (Kafka cannot do it; the topic
 * would have to be recreated), shorter retention (data older than the new limit is deleted at
 * once), a lower replication factor or min.insync.replicas, or a cleanup policy switch.
 * Sorted by topic then kind, so the output is stable.
 */
export function findDestructiveChanges(
  before: readonly TopicSnapshot[],
  after: readonly TopicSnapshot[],
): DestructiveChange[] {
  const next = new Map(after.map((t) => [t.name, t] as const));
  const changes: DestructiveChange[] = [];
  for (const old of before) {
    const now = next.get(old.name);
    if (now === undefined) {
      changes.push({
        topic: old.name,
        kind: "topic-deleted",
        detail: "topic removed from the catalog",
      });
      continue;
    }
    if (now.partitions < old.partitions) {
      changes.push({
        topic: old.name,
        kind: "partitions-reduced",
        detail: `partitions ${old.partitions} → ${now.partitions}`,
      });
    }
    const oldRetention = retentionRank(num(old.config, "retention.ms"));
    const newRetention = retentionRank(num(now.config, "retention.ms"));
    if (newRetention < oldRetention) {
      changes.push({
        topic: old.name,
        kind: "retention-cut",
        detail: `retention.ms ${old.config["retention.ms"] ?? "default"} → ${now.config["retention.ms"] ?? "default"}`,
      });
    }
    // retention.bytes caps each partition's size: a new or lower cap deletes what is above it.
    const oldBytes = retentionRank(num(old.config, "retention.bytes"));
    const newBytes = retentionRank(num(now.config, "retention.bytes"));
    if (newBytes < oldBytes) {
      changes.push({
        topic: old.name,
        kind: "retention-cut",
        detail: `retention.bytes ${old.config["retention.bytes"] ?? "default"} → ${now.config["retention.bytes"] ?? "default"}`,
      });
    }
    const oldIsr = num(old.config, "min.insync.replicas") ?? 1;
    const newIsr = num(now.config, "min.insync.replicas") ?? 1;
    if (now.replicationFactor < old.replicationFactor || newIsr < oldIsr) {
      changes.push({
        topic: old.name,
        kind: "replication-weakened",
        detail: `replicas ${old.replicationFactor} → ${now.replicationFactor}, min.insync.replicas ${oldIsr} → ${newIsr}`,
      });
    }
    const oldPolicy = old.config["cleanup.policy"] ?? "delete";
    const newPolicy = now.config["cleanup.policy"] ?? "delete";
    if (oldPolicy !== newPolicy) {
      changes.push({
        topic: old.name,
        kind: "cleanup-policy-changed",
        detail: `cleanup.policy ${oldPolicy} → ${newPolicy}`,
      });
    }
  }
  return changes.sort((a, b) => a.topic.localeCompare(b.topic) || a.kind.localeCompare(b.kind));
}
