import {
  type Admin,
  ClientQuotaEntityTypes,
  ClientQuotaKeys,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
} from "@platformatic/kafka";
import type { ScramCredential } from "../credentials.ts";
import { toKafkaAcl, toKafkaAclFilter } from "./acl-codes.ts";
import { alterScramUsers, type AdminTarget } from "./scram.ts";
import type { Plan, PlannedChange } from "./types.ts";

const TOPIC_ALREADY_EXISTS = 36;

/** True when `error` (or any error it aggregates) carries Kafka error code `code`. */
export function hasKafkaErrorCode(error: unknown, code: number): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { apiCode?: unknown; errors?: unknown };
  if (e.apiCode === code) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => hasKafkaErrorCode(inner, code));
}

/**
 * Carries out a checked plan in a safe order: new topics, more partitions, configs, new ACLs,
 * users, quotas, then the removals (ACLs, users, topics). `passwords` holds the credentials of
 * the users to create or reset (already saved by the caller, so none is ever lost). Setting
 * credentials returns once every broker authenticates them; brokers apply the metadata log in
 * order, so each then also holds the topics and ACLs written before (not yet the quotas).
 */
export async function executePlan(
  admin: Admin,
  target: AdminTarget,
  plan: Plan,
  passwords: ReadonlyMap<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const of = (f: (c: PlannedChange) => boolean): PlannedChange[] => plan.changes.filter(f);

  for (const c of of((x) => x.kind === "topic" && x.action === "create")) {
    const t = c.topic!;
    try {
      await admin.createTopics({
        topics: [{ topic: t.name, partitions: t.partitions, replicas: t.replicationFactor }],
        configs: Object.entries(t.config).map(([name, value]) => ({ name, value })),
      });
    } catch (e) {
      // A retried request whose first attempt went through: the topic is there, as planned.
      if (!hasKafkaErrorCode(e, TOPIC_ALREADY_EXISTS)) throw e;
    }
    log(`  created topic ${t.name}`);
  }
  const grow = of((x) => x.kind === "partitions" && x.impossible === undefined);
  if (grow.length > 0) {
    await admin.createPartitions({
      topics: grow.map((c) => ({ name: c.topic!.name, count: c.topic!.partitions })),
    });
    grow.forEach((c) => log(`  ${c.target}: partitions now ${c.topic!.partitions}`));
  }
  const configs = of((x) => x.kind === "topic-config");
  if (configs.length > 0) {
    await admin.incrementalAlterConfigs({
      resources: configs.map((c) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: c.topic!.name,
        configs: Object.entries(c.configChanges ?? {}).map(([name, value]) => ({
          name,
          configOperation: IncrementalAlterConfigOperationTypes.SET,
          value,
        })),
      })),
    });
    configs.forEach((c) => log(`  ${c.target}: ${c.detail}`));
  }
  const upsert: ScramCredential[] = of((x) => x.kind === "user" && x.action !== "delete").map(
    (c) => {
      const password = passwords.get(c.user!);
      if (password === undefined) throw new Error(`no generated password for ${c.user}`);
      return { username: c.user!, password };
    },
  );
  const removeUsers = of((x) => x.kind === "user" && x.action === "delete").map((c) => c.user!);
  const newAcls = of((x) => x.kind === "acl" && x.action === "create");
  if (newAcls.length > 0) {
    await admin.createAcls({ creations: newAcls.map((c) => toKafkaAcl(c.acl!)) });
    log(`  created ${newAcls.length} ACL bindings`);
  }
  if (upsert.length > 0) {
    await alterScramUsers(target, upsert);
    log(`  set SCRAM-SHA-512 credentials of ${upsert.map((u) => u.username).join(", ")}`);
  }
  const quotas = of((x) => x.kind === "quota");
  if (quotas.length > 0) {
    await admin.alterClientQuotas({
      entries: quotas.map((c) => ({
        entities: [{ entityType: ClientQuotaEntityTypes.USER, entityName: c.quota!.user }],
        ops: [
          {
            key: ClientQuotaKeys.PRODUCER_BYTE_RATE,
            value: c.quota!.producerByteRate,
            remove: false as const,
          },
          {
            key: ClientQuotaKeys.CONSUMER_BYTE_RATE,
            value: c.quota!.consumerByteRate,
            remove: false as const,
          },
          {
            key: ClientQuotaKeys.REQUEST_PERCENTAGE,
            value: c.quota!.requestPercentage,
            remove: false as const,
          },
        ],
      })),
    });
    quotas.forEach((c) => log(`  ${c.target}: ${c.detail}`));
  }
  const oldAcls = of((x) => x.kind === "acl" && x.action === "delete");
  if (oldAcls.length > 0) {
    await admin.deleteAcls({ filters: oldAcls.map((c) => toKafkaAclFilter(c.acl!)) });
    log(`  deleted ${oldAcls.length} ACL bindings`);
  }
  if (removeUsers.length > 0) {
    await alterScramUsers(target, [], removeUsers);
    log(`  deleted users ${removeUsers.join(", ")}`);
  }
  const dropTopics = of((x) => x.kind === "topic" && x.action === "delete");
  if (dropTopics.length > 0) {
    await admin.deleteTopics({ topics: dropTopics.map((c) => c.topic!.name) });
    dropTopics.forEach((c) => log(`  deleted ${c.target}`));
  }
}
