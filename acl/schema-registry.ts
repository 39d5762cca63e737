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

/** The component topics the registry keeps its state in, by role. */
export function schemaRegistryTopics(
  catalog: readonly ComponentTopicDefinition[] = componentTopicCatalog,
): { journal: string; snapshots: string; events: string } {
  const own = catalog.filter((t) => t.component === SCHEMA_REGISTRY_USER).map((t) => t.name);
  const find = (suffix: string): string => {
    const name = own.find((n) => n.endsWith(suffix));
    if (name === undefined) {
      throw new Error(
        `topics/catalog.ts componentTopicCatalog needs a schema-registry topic ending in "${suffix}"`,
      );
    }
    return name;
  };
  return { journal: find(".journal"), snapshots: find(".snapshots"), events: find(".events") };
}

/**
 * Least privilege for KafkaSQL, as Apicurio 3.3.3 uses its topics: it produces to and replays
 * the journal and snapshots (Read, Write, Describe), publishes change events (Write, Describe),
 * and checks each topic's settings before it starts (DescribeConfigs); Read on its group family.
 * The topics come from the catalog, so `topic.auto-create` is off and no Create is granted. No
 * cluster operations, no wildcard.
 */
export function deriveSchemaRegistryAccess(
  namespace: string,
  catalog: readonly ComponentTopicDefinition[] = componentTopicCatalog,
): ServiceAccess {
  const { journal, snapshots, events } = schemaRegistryTopics(catalog);
  const topic = (name: string, operations: AclRule["operations"]): AclRule => ({
    resource: { type: "topic", name, patternType: "literal" },
    operations,
  });
  const group: AclRule = {
    resource: { type: "group", name: SCHEMA_REGISTRY_GROUP_PREFIX, patternType: "prefix" },
    operations: ["Read"],
  };
  const acls: AclRule[] = [
    group,
    topic(events, ["Describe", "DescribeConfigs", "Write"]),
    topic(journal, ["Describe", "DescribeConfigs", "Read", "Write"]),
    topic(snapshots, ["Describe", "DescribeConfigs", "Read", "Write"]),
  ].sort((a, b) =>
    a.resource.type === b.resource.type
      ? a.resource.name.localeCompare(b.resource.name)
      : a.resource.type.localeCompare(b.resource.type),
  );
  return { service: SCHEMA_REGISTRY_USER, namespace, username: SCHEMA_REGISTRY_USER, acls };
}
