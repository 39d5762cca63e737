import * as pulumi from "@pulumi/pulumi";

/**
 * The JAAS line Kafka clients use for SCRAM-SHA-512, the same key Strimzi writes into a
 * KafkaUser's Secret. Stays a secret Output.
 */
export function scramJaasConfig(
  username: string,
  password: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.interpolate`org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
  );
}
