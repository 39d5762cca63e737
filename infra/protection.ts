import type { StackConfig } from "./config/schema.ts";

/**
 * Which resources carry `protect: true`. Pure, so it is tested directly: Pulumi mocks never
 * see resource options.
 *
 * Everything whose deletion loses data is protected together:
 * - the Kafka cluster and its node pools (the brokers' volumes);
 * - the KafkaTopics (deleting one deletes the topic and its messages);
 * - the Strimzi CRDs (deleting a CRD deletes every custom resource of that kind);
 * - the cluster namespace (deleting it deletes everything in it);
 * - with `topicManagement: kafka-provider`, the `@pulumi/kafka` topics.
 *
 * `protectData` is the one switch. Staging and production stack files set it to true (a test
 * holds them to that); setting it false and running `pulumi up` is the documented way to lift
 * protection before a deliberate teardown (docs/pulumi.md).
 */
export interface DataProtection {
  readonly cluster: boolean;
  readonly topics: boolean;
  readonly crds: boolean;
  readonly clusterNamespace: boolean;
}

export function dataProtection(config: Pick<StackConfig, "protectData">): DataProtection {
  const on = config.protectData;
  return { cluster: on, topics: on, crds: on, clusterNamespace: on };
}

/** Environments whose stacks must protect their data (the stack files are held to it). */
export const PROTECTED_ENVIRONMENTS: readonly StackConfig["environment"][] = ["staging", "prod"];
