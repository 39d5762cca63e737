import { type Admin, ConfigResourceTypes } from "@platformatic/kafka";
import { ALL_ACLS_FILTER, fromKafkaAcl } from "./acl-codes.ts";
import { listScramUsers, type AdminTarget } from "./scram.ts";
import type { AclBinding, LiveState, TopicState } from "./types.ts";

/** Topic config keys the catalog sets; only these are compared. */
export const MANAGED_TOPIC_CONFIG_KEYS = ["cleanup.policy", "min.insync.replicas", "retention.ms"];

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
  return { topics, users: await listScramUsers(target), acls };
}
