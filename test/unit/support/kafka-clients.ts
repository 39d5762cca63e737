import { services } from "../../../acl/services.ts";
import type { StackConfig } from "../../../infra/config/schema.ts";

/**
 * Everything that connects to a stack's cluster as a SCRAM user with delivered credentials:
 * the catalog's services, plus the Schema Registry where the stack runs it (it is a Kafka
 * client like a service: KafkaUser, password Secret, `kafka-schema-registry` in its namespace).
 * Written out here, not taken from the model, so the tests check the model against it.
 */
export function kafkaClients(
  config: Pick<StackConfig, "schemaRegistry">,
): { name: string; namespace: string }[] {
  return [
    ...services.map((s) => ({ name: s.name, namespace: s.namespace })),
    ...(config.schemaRegistry.enabled
      ? [
          {
            name: "schema-registry",
            namespace: config.schemaRegistry.namespace ?? "schema-registry",
          },
        ]
      : []),
  ];
}

/** The Schema Registry's grants, by hand from docs/schema-registry.md. */
export const SCHEMA_REGISTRY_GRANTS = [
  {
    resourceType: "group",
    name: "schema-registry.kafkasql.",
    patternType: "prefix",
    operation: "Read",
  },
  {
    resourceType: "topic",
    name: "schema-registry.journal",
    patternType: "literal",
    operation: "Describe",
  },
  {
    resourceType: "topic",
    name: "schema-registry.journal",
    patternType: "literal",
    operation: "Read",
  },
  {
    resourceType: "topic",
    name: "schema-registry.journal",
    patternType: "literal",
    operation: "Write",
  },
  {
    resourceType: "topic",
    name: "schema-registry.snapshots",
    patternType: "literal",
    operation: "Describe",
  },
  {
    resourceType: "topic",
    name: "schema-registry.snapshots",
    patternType: "literal",
    operation: "Read",
  },
  {
    resourceType: "topic",
    name: "schema-registry.snapshots",
    patternType: "literal",
    operation: "Write",
  },
] as const;
