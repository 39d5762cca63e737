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

/** The Schema Registry's grants, by hand from what Apicurio 3.3.3 does with its topics. */
function topicGrants(name: string, operations: readonly string[]) {
  return operations.map((operation) => ({
    resourceType: "topic" as const,
    name,
    patternType: "literal" as const,
    operation,
  }));
}
export const SCHEMA_REGISTRY_GRANTS = [
  {
    resourceType: "group" as const,
    name: "schema-registry.kafkasql.",
    patternType: "prefix" as const,
    operation: "Read",
  },
  ...topicGrants("schema-registry.events", ["Describe", "DescribeConfigs", "Write"]),
  ...topicGrants("schema-registry.journal", ["Describe", "DescribeConfigs", "Read", "Write"]),
  ...topicGrants("schema-registry.snapshots", ["Describe", "DescribeConfigs", "Read", "Write"]),
];
