import { type Admin, ConfigResourceTypes, ConfigSources } from "@platformatic/kafka";

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly underReplicated: number;
}

export async function listTopicSummaries(admin: Admin): Promise<TopicSummary[]> {
  const names = (await admin.listTopics()).filter((t) => !t.startsWith("__")).sort();
  if (names.length === 0) return [];
  const metadata = await admin.metadata({ topics: names, forceUpdate: true });
  return names.flatMap((name) => {
    const t = metadata.topics.get(name);
    if (t === undefined) return [];
    return [
      {
        name,
        partitions: t.partitionsCount,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        underReplicated: t.partitions.filter((p) => p.isr.length < p.replicas.length).length,
      },
    ];
  });
}

export interface PartitionDetail {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly earliest: bigint;
  readonly latest: bigint;
}

export interface TopicDetail {
  readonly name: string;
  readonly partitions: readonly PartitionDetail[];
  /** Configs set on the topic itself (not broker defaults). */
  readonly overrides: Readonly<Record<string, string>>;
}

/** Earliest (-2) or latest (-1) offset per partition. */
export async function partitionOffsets(
  admin: Admin,
  topic: string,
  partitions: number,
  which: "earliest" | "latest",
): Promise<Map<number, bigint>> {
  const timestamp = which === "earliest" ? -2n : -1n;
  const result = await admin.listOffsets({
    topics: [
      {
        name: topic,
        partitions: Array.from({ length: partitions }, (_, i) => ({
          partitionIndex: i,
          timestamp,
        })),
      },
    ],
  });
  return new Map((result[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset] as const));
}

export async function describeTopic(admin: Admin, topic: string): Promise<TopicDetail> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const t = metadata.topics.get(topic);
  if (t === undefined) throw new Error(`no topic "${topic}"`);
  const [earliest, latest] = await Promise.all([
    partitionOffsets(admin, topic, t.partitionsCount, "earliest"),
    partitionOffsets(admin, topic, t.partitionsCount, "latest"),
  ]);
  const configs = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
  });
  const overrides: Record<string, string> = {};
  for (const c of configs[0]?.configs ?? []) {
    if (c.configSource === ConfigSources.DYNAMIC_TOPIC_CONFIG && typeof c.value === "string")
      overrides[c.name] = c.value;
  }
  return {
    name: topic,
    partitions: t.partitions.map((p, partition) => ({
      partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      earliest: earliest.get(partition) ?? -1n,
      latest: latest.get(partition) ?? -1n,
    })),
    overrides,
  };
}

export interface GroupLag {
  readonly group: string;
  readonly partitions: readonly {
    topic: string;
    partition: number;
    committed: bigint;
    end: bigint;
    lag: bigint;
  }[];
  readonly total: bigint;
}

/** Committed offset vs log end per partition for each group (all groups when none given). */
export async function consumerGroupLag(
  admin: Admin,
  groups?: readonly string[],
): Promise<GroupLag[]> {
  const ids = groups ?? [...(await admin.listGroups()).keys()].sort();
  if (ids.length === 0) return [];
  const committed = await admin.listConsumerGroupOffsets({ groups: [...ids] });
  const result: GroupLag[] = [];
  for (const g of committed) {
    const partitions: {
      topic: string;
      partition: number;
      committed: bigint;
      end: bigint;
      lag: bigint;
    }[] = [];
    for (const t of g.topics) {
      const ends = await partitionOffsets(
        admin,
        t.name,
        Math.max(...t.partitions.map((p) => p.partitionIndex)) + 1,
        "latest",
      );
      for (const p of t.partitions) {
        if (p.committedOffset < 0n) continue;
        const end = ends.get(p.partitionIndex) ?? 0n;
        partitions.push({
          topic: t.name,
          partition: p.partitionIndex,
          committed: p.committedOffset,
          end,
          lag: end - p.committedOffset,
        });
      }
    }
    result.push({
      group: g.groupId,
      partitions,
      total: partitions.reduce((s, p) => s + p.lag, 0n),
    });
  }
  return result;
}
