import * as kafka from "@pulumi/kafka";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ServiceAccess } from "../../acl/types.ts";
import type { ResolvedTopic } from "../../topics/types.ts";
import { scramJaasConfig } from "../credentials.ts";
import { kafkaAclResourceName, kafkaAclSpecs } from "../kafka-acls.ts";

export interface KafkaProviderAccessArgs {
  /** The stack's resolved topics (buildPlatformModel): one kafka.Topic each. */
  readonly topics: readonly ResolvedTopic[];
  /** Every service's derived access: one SCRAM credential and its ACLs each. */
  readonly access: readonly ServiceAccess[];
  readonly bootstrapServers: readonly string[];
  /** Set explicitly: KAFKA_ENABLE_TLS=false does not disable TLS in the provider. */
  readonly tlsEnabled: boolean;
  /** PEM of the brokers' CA; omitted, the system's trusted CAs. */
  readonly caCert?: string;
  readonly adminUsername: string;
  readonly adminPassword: pulumi.Output<string>;
  /** Namespace of the per-service credentials Secrets. */
  readonly credentialsNamespace: string;
  readonly kubernetesProvider: k8s.Provider;
  readonly protectTopics: boolean;
}

/** Password length: SCRAM takes any length; 32 alphanumerics is ~190 bits. */
const PASSWORD_LENGTH = 32;

/**
 * Topics, ACLs and SCRAM-SHA-512 credentials for a Kafka cluster Strimzi does not run, through
 * @pulumi/kafka, from the same catalog and ACL derivation as the Strimzi path. Each service's
 * password is generated (@pulumi/random), kept a Pulumi secret, and published to the service
 * in a Secret named and keyed like the one Strimzi's user operator writes (`password`,
 * `sasl.jaas.config`), so a service cannot tell the two paths apart.
 */
export class KafkaProviderAccess extends pulumi.ComponentResource {
  readonly provider: kafka.Provider;
  readonly topics: ReadonlyMap<string, kafka.Topic>;
  /** Service name to the name of its credentials Secret. */
  readonly credentialSecretNames: Readonly<Record<string, string>>;

  constructor(name: string, args: KafkaProviderAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:kafka:ProviderAccess", name, {}, opts);
    this.provider = new kafka.Provider(
      "kafka",
      {
        bootstrapServers: [...args.bootstrapServers],
        tlsEnabled: args.tlsEnabled,
        skipTlsVerify: false,
        ...(args.caCert !== undefined ? { caCert: args.caCert } : {}),
        saslMechanism: "scram-sha512",
        saslUsername: args.adminUsername,
        saslPassword: pulumi.secret(args.adminPassword),
      },
      { parent: this },
    );
    const onKafka = { parent: this, provider: this.provider };

    const topics = new Map<string, kafka.Topic>();
    for (const topic of args.topics) {
      topics.set(
        topic.name,
        new kafka.Topic(
          topic.name,
          {
            name: topic.name,
            partitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            config: { ...topic.config },
          },
          { ...onKafka, protect: args.protectTopics },
        ),
      );
    }
    this.topics = topics;

    const credentialSecretNames: Record<string, string> = {};
    const credentials = new Map<string, kafka.UserScramCredential>();
    for (const service of args.access) {
      const generated = new random.RandomPassword(
        `${service.username}-password`,
        { length: PASSWORD_LENGTH, special: false },
        { parent: this },
      );
      const password = pulumi.secret(generated.result);
      credentials.set(
        service.username,
        new kafka.UserScramCredential(
          service.username,
          { username: service.username, scramMechanism: "SCRAM-SHA-512", password },
          onKafka,
        ),
      );
      new k8s.core.v1.Secret(
        `${service.username}-credentials`,
        {
          metadata: {
            name: service.username,
            namespace: args.credentialsNamespace,
            labels: {
              "app.kubernetes.io/managed-by": "pulumi",
              "kafka-platform/user": service.username,
            },
          },
          type: "Opaque",
          stringData: {
            password,
            "sasl.jaas.config": scramJaasConfig(service.username, password),
          },
        },
        {
          parent: this,
          provider: args.kubernetesProvider,
          // A component's dependsOn does not hold back its children (the namespace).
          ...(opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {}),
        },
      );
      credentialSecretNames[service.service] = service.username;
    }
    this.credentialSecretNames = credentialSecretNames;

    for (const spec of kafkaAclSpecs(args.access)) {
      const user = credentials.get(spec.principal.replace(/^User:/, ""));
      new kafka.Acl(
        kafkaAclResourceName(spec),
        {
          aclPrincipal: spec.principal,
          aclHost: spec.host,
          aclPermissionType: spec.permissionType,
          aclOperation: spec.operation,
          aclResourceType: spec.resourceType,
          aclResourceName: spec.resourceName,
          resourcePatternTypeFilter: spec.patternType,
        },
        { ...onKafka, dependsOn: user === undefined ? [] : [user] },
      );
    }
    this.registerOutputs({});
  }
}
