import type { AclPatternType, AclRule, ServiceAccess, ServiceDefinition } from "./types.ts";

/**
 * MirrorMaker 2's access, derived from a replication flow (charts/mirror-maker-plan.ts), never
 * written by hand. MirrorMaker needs operations the services never get (Create, Alter,
 * DescribeConfigs, AlterConfigs), so its rules have their own, wider operation type; Strimzi's
 * KafkaUser and Kafka's Admin API take them as they are.
 */
export type MirrorAclOperation =
  "Read" | "Write" | "Create" | "Describe" | "Alter" | "DescribeConfigs" | "AlterConfigs";

export const MIRROR_OPERATION_ORDER: readonly MirrorAclOperation[] = [
  "Alter",
  "AlterConfigs",
  "Create",
  "Describe",
  "DescribeConfigs",
  "Read",
  "Write",
];

export interface MirrorAclRule {
  readonly resource: {
    readonly type: "topic" | "group";
    readonly name: string;
    readonly patternType: AclPatternType;
  };
  readonly operations: readonly MirrorAclOperation[];
}

/** A topic (or family of topics) as an ACL resource. */
export interface TopicResource {
  readonly name: string;
  readonly patternType: AclPatternType;
}

/** What the ACLs of one flow (source region → target region) are derived from. */
export interface MirrorAclInput {
  /** Replicated topics as they are named on the source. */
  readonly sourceTopics: readonly TopicResource[];
  /** The same topics as MirrorMaker names them on the target (equal under the identity policy). */
  readonly remoteTopics: readonly TopicResource[];
  /** Consumer groups whose offsets the checkpoint connector translates. */
  readonly groups: readonly string[];
  /** MirrorMaker's own topics on the target (Connect storage, offset syncs, checkpoints, heartbeats). */
  readonly internalTopics: readonly string[];
  /** The Connect worker group on the target. */
  readonly workerGroup: string;
  /**
   * Whether MirrorMaker creates the remote topics and keeps their configs in step (prefixed
   * names); under the identity policy the target's catalog declares them.
   */
  readonly managesRemoteTopics: boolean;
  /** The heartbeats topic as the source names it. */
  readonly sourceHeartbeats: string;
  /**
   * The source's heartbeats as MirrorMaker names them on the target: always `<source>.heartbeats`
   * (Kafka's IdentityReplicationPolicy keeps the prefix for heartbeats). MirrorMaker creates
   * this topic under either policy; no catalog declares it.
   */
  readonly remoteHeartbeats: string;
}

class Rules {
  private readonly rules = new Map<
    string,
    { r: MirrorAclRule["resource"]; ops: Set<MirrorAclOperation> }
  >();

  allow(
    type: "topic" | "group",
    name: string,
    patternType: AclPatternType,
    ops: readonly MirrorAclOperation[],
  ): void {
    const key = `${type}\u0000${patternType}\u0000${name}`;
    const rule = this.rules.get(key) ?? { r: { type, name, patternType }, ops: new Set() };
    ops.forEach((o) => rule.ops.add(o));
    this.rules.set(key, rule);
  }

  build(): MirrorAclRule[] {
    return [...this.rules.values()]
      .sort(
        (a, b) =>
          a.r.type.localeCompare(b.r.type) ||
          a.r.name.localeCompare(b.r.name) ||
          a.r.patternType.localeCompare(b.r.patternType),
      )
      .map(({ r, ops }) => ({
        resource: r,
        operations: MIRROR_OPERATION_ORDER.filter((o) => ops.has(o)),
      }));
  }
}

/**
 * On the source cluster MirrorMaker only reads: the replicated topics and the heartbeats (read,
 * describe, and their configs), and the translated groups' committed offsets (describe). Offset
 * syncs live on the target (`offset-syncs.topic.location: target`), so nothing is written here.
 */
export function sourceSideAcls(input: MirrorAclInput): MirrorAclRule[] {
  const rules = new Rules();
  for (const t of input.sourceTopics) {
    rules.allow("topic", t.name, t.patternType, ["Read", "Describe", "DescribeConfigs"]);
  }
  rules.allow("topic", input.sourceHeartbeats, "literal", ["Read", "Describe", "DescribeConfigs"]);
  for (const g of input.groups) rules.allow("group", g, "literal", ["Describe"]);
  return rules.build();
}

/**
 * On the target MirrorMaker writes the remote topics (and, with prefixed names, creates them
 * and keeps partitions and configs in step), reads and writes its own topics as a Connect
 * worker group, and commits translated offsets for the groups (read on group and topic).
 */
export function targetSideAcls(input: MirrorAclInput): MirrorAclRule[] {
  const rules = new Rules();
  const manage: MirrorAclOperation[] = input.managesRemoteTopics
    ? ["Create", "Alter", "AlterConfigs"]
    : [];
  for (const t of input.remoteTopics) {
    rules.allow("topic", t.name, t.patternType, [
      "Write",
      "Read",
      "Describe",
      "DescribeConfigs",
      ...manage,
    ]);
  }
  // The replicated heartbeats: created by MirrorMaker under either policy (Alter: partitions
  // follow the source's), written and read back like the other remote topics.
  rules.allow("topic", input.remoteHeartbeats, "literal", [
    "Create",
    "Alter",
    "Write",
    "Read",
    "Describe",
    "DescribeConfigs",
    ...(input.managesRemoteTopics ? (["AlterConfigs"] as const) : []),
  ]);
  for (const t of input.internalTopics) {
    rules.allow("topic", t, "literal", ["Create", "Read", "Write", "Describe", "DescribeConfigs"]);
  }
  rules.allow("group", input.workerGroup, "literal", ["Read", "Describe"]);
  for (const g of input.groups) rules.allow("group", g, "literal", ["Read", "Describe"]);
  return rules.build();
}

/** What the heartbeat Connect cluster's ACLs are derived from (charts/mirror-maker-plan.ts). */
export interface HeartbeatAclInput {
  /** The Connect worker group. */
  readonly workerGroup: string;
  /** Connect's config, offset and status topics. */
  readonly storageTopics: readonly string[];
  /** The topic MirrorHeartbeatConnector writes on its own cluster (`heartbeats`). */
  readonly heartbeats: string;
}

/**
 * The Connect cluster that emits heartbeats into the region's own cluster (decision 0015):
 * a Connect worker group with its three storage topics (created and checked by the worker:
 * DescribeConfigs reads their cleanup policy), and on `heartbeats` only what
 * MirrorHeartbeatConnector does: create it (its admin client), write it (its task's records) and
 * describe it (the producer's metadata). It reads no other topic and joins no other group.
 */
export function heartbeatConnectAcls(input: HeartbeatAclInput): MirrorAclRule[] {
  const rules = new Rules();
  for (const t of input.storageTopics) {
    rules.allow("topic", t, "literal", ["Create", "Read", "Write", "Describe", "DescribeConfigs"]);
  }
  rules.allow("topic", input.heartbeats, "literal", ["Create", "Write", "Describe"]);
  rules.allow("group", input.workerGroup, "literal", ["Read", "Describe"]);
  return rules.build();
}

/**
 * With prefixed names (active-active) a service reads its topics under both names: its own
 * region's and each peer's copy (`<peer>.<topic>`). Adds Read and Describe on the copies of every
 * replicated topic the service consumes or broadcasts; under the identity policy names do not
 * change and the access stays as derived.
 */
export function withMirroredConsumerAcls(
  access: readonly ServiceAccess[],
  serviceList: readonly ServiceDefinition[],
  remoteOf: (template: string) => readonly TopicResource[],
): ServiceAccess[] {
  return access.map((a) => {
    const service = serviceList.find((s) => s.name === a.service);
    if (service === undefined) return a;
    const extra: AclRule[] = [];
    for (const template of [...service.consumes, ...(service.broadcasts ?? [])]) {
      for (const r of remoteOf(template)) {
        if (extra.some((e) => e.resource.name === r.name)) continue;
        extra.push({
          resource: { type: "topic", name: r.name, patternType: r.patternType },
          operations: ["Describe", "Read"],
        });
      }
    }
    if (extra.length === 0) return a;
    const acls = [...a.acls, ...extra].sort(
      (x, y) =>
        x.resource.type.localeCompare(y.resource.type) ||
        x.resource.name.localeCompare(y.resource.name),
    );
    return { ...a, acls };
  });
}
