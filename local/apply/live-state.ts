import {
  type Admin,
  ClientQuotaEntityTypes,
  ClientQuotaMatchTypes,
  ConfigResourceTypes,
} from "@platformatic/kafka";
import { ALL_ACLS_FILTER, fromKafkaAcl } from "./acl-codes.ts";
import { listScramUsers, type AdminTarget } from "./scram.ts";
import type { AclBinding, LiveState, TopicState, UserQuotaState } from "./types.ts";

/** Topic config keys the catalog sets; only these are compared. */
export const MANAGED_TOPIC_CONFIG_KEYS = [
  "cleanup.policy",
  "min.insync.replicas",
  "retention.bytes",
  "retention.ms",
];

const QUOTA_KEYS = {
  producer_byte_rate: "producerByteRate",
  consumer_byte_rate: "consumerByteRate",
  request_percentage: "requestPercentage",
} as const;

/** Quotas on `user=<name>` entities (not defaults, not client ids). */
export async function readUserQuotas(
  admin: Admin,
): Promise<Map<string, Partial<Omit<UserQuotaState, "user">>>> {
  const entries = await admin.describeClientQuotas({
    components: [{ entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.ANY }],
  });
  const quotas = new Map<string, Partial<Omit<UserQuotaState, "user">>>();
  for (const entry of entries) {
    if (entry.entity.length !== 1) continue;
    const [entity] = entry.entity;
    if (
      entity?.entityType !== ClientQuotaEntityTypes.USER ||
      typeof entity.entityName !== "string"
    ) {
      continue;
    }
    const values: Partial<Record<(typeof QUOTA_KEYS)[keyof typeof QUOTA_KEYS], number>> = {};
    for (const v of entry.values) {
      const key = QUOTA_KEYS[v.key as keyof typeof QUOTA_KEYS];
      if (key !== undefined) values[key] = v.value;
    }
    quotas.set(entity.entityName, values);
  }
  return quotas;
}

/** Reads topics (partitions, RF, managed configs), SCRAM users and ACLs from the cluster. */
export async function readLiveState(admin: Admin, target: AdminTarget): Promise<LiveState> {
  const names = (await admin.listTopics({ includeInternals: false })).filter(
    (t) => !t.startsWith("__"),
  );
  const topics = new Map<string, TopicState>();
  if (names.length > 0) {
    const metadata = await admin.metadata({ topics: names, forceUpdate: true });
    const configs = await admin.describeConfigs({
      resources: names.map((name) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: name,
        configurationKeys: MANAGED_TOPIC_CONFIG_KEYS,
      })),
    });
    const configByTopic = new Map(configs.map((c) => [c.resourceName, c.configs] as const));
    for (const name of names) {
      const meta = metadata.topics.get(name);
      if (meta === undefined) continue;
      const config: Record<string, string> = {};
      for (const entry of configByTopic.get(name) ?? []) {
        if (typeof entry.value === "string") config[entry.name] = entry.value;
      }
      topics.set(name, {
        name,
        partitions: meta.partitionsCount,
        replicationFactor: meta.partitions[0]?.replicas.length ?? 0,
        config,
      });
    }
  }
  const resources = await admin.describeAcls({ filter: ALL_ACLS_FILTER });
  const acls: AclBinding[] = [];
  for (const resource of resources) {
    for (const permission of resource.acls) {
      const binding = fromKafkaAcl({ ...resource, ...permission });
      if (binding !== undefined) acls.push(binding);
    }
  }
  return { topics, users: await listScramUsers(target), acls, quotas: await readUserQuotas(admin) };
}
