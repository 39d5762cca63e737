import { componentTopicCatalog } from "../topics/catalog.ts";
import type { ComponentTopicDefinition } from "../topics/types.ts";
import type { AclRule, ServiceAccess } from "./types.ts";

/**
 * The Schema Registry as a Kafka client (docs/decisions/0012-schema-registry.md): Apicurio
 * Registry keeps its storage in Kafka (KafkaSQL) and connects like a service, as KafkaUser
 * `schema-registry`, with a password delivered like a service's (Secret `kafka-schema-registry`
 * in its own namespace, decision 0006). Its access is derived from the catalog's component
 * topics, nothing else. Pure data and functions.
 */
export const SCHEMA_REGISTRY_USER = "schema-registry";

/** The registry's own namespace unless the stack names another. */
export const SCHEMA_REGISTRY_DEFAULT_NAMESPACE = "schema-registry";

/**
 * KafkaSQL reads the journal in a new consumer group on every start
 * (`apicurio.kafkasql.consumer.group-prefix` + a random id), so the user gets Read on this
 * prefix: its own family of groups, no other.
 */
export const SCHEMA_REGISTRY_GROUP_PREFIX = "schema-registry.kafkasql.";

/** The component topics the registry keeps its state in: the journal first, then snapshots. */
export function schemaRegistryTopics(
  catalog: readonly ComponentTopicDefinition[] = componentTopicCatalog,
): { journal: string; snapshots: string } {
  const own = catalog.filter((t) => t.component === SCHEMA_REGISTRY_USER).map((t) => t.name);
  const journal = own.find((n) => n.endsWith(".journal"));
  const snapshots = own.find((n) => n.endsWith(".snapshots"));
  if (journal === undefined || snapshots === undefined) {
    throw new Error(
      "topics/catalog.ts componentTopicCatalog needs a schema-registry .journal and .snapshots topic",
    );
  }
  return { journal, snapshots };
}

/**
 * Least privilege for KafkaSQL: Read, Write and Describe on its two topics (it produces and
 * replays them; they are created from the catalog, so `topic.auto-create` is off and no Create
 * is granted), Read on its group family. No cluster operations, no wildcard.
 */
export function deriveSchemaRegistryAccess(
  namespace: string,
  catalog: readonly ComponentTopicDefinition[] = componentTopicCatalog,
): ServiceAccess {
  const { journal, snapshots } = schemaRegistryTopics(catalog);
  const acls: AclRule[] = [
    {
      resource: { type: "group", name: SCHEMA_REGISTRY_GROUP_PREFIX, patternType: "prefix" },
      operations: ["Read"],
    },
    ...[journal, snapshots].sort().map((name): AclRule => ({
      resource: { type: "topic", name, patternType: "literal" },
      operations: ["Describe", "Read", "Write"],
    })),
  ];
  return { service: SCHEMA_REGISTRY_USER, namespace, username: SCHEMA_REGISTRY_USER, acls };
}
