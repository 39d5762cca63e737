/**
 * Where a service finds its Kafka connection: one Secret in the service's own namespace
 * (a pod cannot mount a Secret from another namespace), named `kafka-<service>`, holding
 * exactly these keys. The stack writes it (infra/components/service-credentials.ts); the
 * client module reads it. Pure data: importable without Pulumi or cdk8s.
 */
export const SERVICE_CREDENTIALS_KEYS = {
  /** The SCRAM-SHA-512 user name (the service's KafkaUser). */
  username: "username",
  /** The SCRAM-SHA-512 password. */
  password: "password",
  /** The cluster CA certificate (PEM) the brokers' TLS certificates chain to. */
  caCertificate: "ca.crt",
  /** Comma-separated `host:port` bootstrap addresses of the client listener. */
  bootstrapServers: "bootstrap.servers",
} as const;

export type ServiceCredentialsKey =
  (typeof SERVICE_CREDENTIALS_KEYS)[keyof typeof SERVICE_CREDENTIALS_KEYS];

/**
 * Where the stack runs the Schema Registry, the same Secret also carries its Confluent-compatible
 * API URL under this key (docs/schema-registry.md); the registry takes no credentials of its own
 * (its NetworkPolicy admits only client namespaces).
 */
export const SCHEMA_REGISTRY_URL_KEY = "schema.registry.url";

/** The Secret a service mounts, in its own namespace. */
export function serviceCredentialsSecretName(service: string): string {
  return `kafka-${service}`;
}

/**
 * The Secret in the Kafka namespace that holds a user's password for Strimzi: the KafkaUser
 * reads it through `authentication.password.valueFrom.secretKeyRef`. It must differ from the
 * user's own name, which is the Secret the User Operator writes.
 */
export function scramPasswordSecretName(username: string): string {
  return `${username}-scram-password`;
}

/** Key of the password in the Kafka namespace's password Secret. */
export const SCRAM_PASSWORD_KEY = "password";
