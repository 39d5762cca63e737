import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  SCHEMA_REGISTRY_URL_KEY,
  SCRAM_PASSWORD_KEY,
  SERVICE_CREDENTIALS_KEYS,
  scramPasswordSecretName,
  serviceCredentialsSecretName,
} from "../../acl/credentials.ts";
import type { ServiceAccess } from "../../acl/types.ts";

/** Password length: SCRAM takes any length; 32 alphanumerics is ~190 bits. */
const PASSWORD_LENGTH = 32;

/** What one service mounts: a stack output, so deployments can be wired from it. */
export interface ServiceMount {
  /** The service's namespace, where the Secret lives. */
  readonly namespace: string;
  /** The Secret to mount (`kafka-<service>`). */
  readonly secret: string;
  /** The keys it holds. */
  readonly keys: readonly string[];
}

export interface ServicePasswordsArgs {
  readonly access: readonly Pick<ServiceAccess, "service" | "username" | "namespace">[];
  /** The Kafka cluster's namespace, where the KafkaUsers read their passwords from. */
  readonly kafkaNamespace: string;
  /** Label marking a namespace as a Kafka client namespace (value "true"). */
  readonly clientNamespaceLabel: string;
  readonly labels: Readonly<Record<string, string>>;
}

function b64(value: string): string {
  return Buffer.from(value, "utf8").toString("base64");
}

/**
 * First half of credential delivery (docs/decisions/0006-credential-delivery.md), applied
 * before the cluster: per service, a generated password (@pulumi/random, a Pulumi secret) in
 * Secret `<user>-scram-password` of the Kafka namespace, which the service's KafkaUser reads
 * through `authentication.password.valueFrom.secretKeyRef`; and the service's namespace,
 * labelled as a client namespace so the brokers' NetworkPolicies admit it. Service namespaces
 * are kept on `pulumi destroy` (`retainOnDelete`): they hold the services' workloads.
 */
export class ServicePasswords extends pulumi.ComponentResource {
  /** Per service: its password, a secret Output. */
  readonly passwords: ReadonlyMap<string, pulumi.Output<string>>;
  /** Per service namespace: the Namespace resource. */
  readonly namespaces: ReadonlyMap<string, k8s.core.v1.Namespace>;

  constructor(name: string, args: ServicePasswordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:k8s:ServicePasswords", name, {}, opts);
    // A component's dependsOn does not hold back its children (the Kafka namespace).
    const after = opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {};
    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of [...new Set(args.access.map((a) => a.namespace))].sort()) {
      namespaces.set(
        ns,
        new k8s.core.v1.Namespace(
          `service-namespace-${ns}`,
          {
            metadata: {
              name: ns,
              labels: { ...args.labels, [args.clientNamespaceLabel]: "true" },
            },
          },
          { parent: this, retainOnDelete: true },
        ),
      );
    }
    const passwords = new Map<string, pulumi.Output<string>>();
    for (const a of args.access) {
      const generated = new random.RandomPassword(
        `${a.username}-password`,
        { length: PASSWORD_LENGTH, special: false },
        { parent: this },
      );
      const password = pulumi.secret(generated.result);
      passwords.set(a.service, password);
      new k8s.core.v1.Secret(
        `${a.username}-scram-password`,
        {
          metadata: {
            name: scramPasswordSecretName(a.username),
            namespace: args.kafkaNamespace,
            labels: { ...args.labels, "kafka-platform.chat/service": a.service },
          },
          type: "Opaque",
          data: { [SCRAM_PASSWORD_KEY]: pulumi.secret(password.apply(b64)) },
        },
        { parent: this, ...after },
      );
    }
    this.passwords = passwords;
    this.namespaces = namespaces;
    this.registerOutputs({});
  }
}

export interface ServiceCredentialsArgs {
  readonly access: readonly Pick<ServiceAccess, "service" | "username" | "namespace">[];
  readonly passwords: ServicePasswords;
  readonly kafkaNamespace: string;
  /** The Kafka resource's name: Strimzi keeps the cluster CA in `<name>-cluster-ca-cert`. */
  readonly clusterName: string;
  /** The client listener's bootstrap address(es), comma-separated. */
  readonly bootstrapServers: string;
  /**
   * Known once the Kafka cluster has been applied (the ConfigGroups' `resources`). The cluster
   * CA is read only then, so a preview of a new stack does not look for a Secret the operator
   * has not written yet.
   */
  readonly clusterApplied: pulumi.Output<unknown>;
  readonly labels: Readonly<Record<string, string>>;
  /** The Schema Registry's API URL, where the stack runs it: key `schema.registry.url`. */
  readonly schemaRegistryUrl?: string | undefined;
}

/**
 * Second half, applied after the cluster: per service, Secret `kafka-<service>` in the
 * service's own namespace with `username`, `password`, `ca.crt` (copied from Strimzi's
 * `<cluster>-cluster-ca-cert`) and `bootstrap.servers`. Every value stays a Pulumi secret.
 */
export class ServiceCredentials extends pulumi.ComponentResource {
  /** Service name to what it mounts. */
  readonly mounts: Readonly<Record<string, ServiceMount>>;

  constructor(name: string, args: ServiceCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:k8s:ServiceCredentials", name, {}, opts);
    const caSecretId = args.clusterApplied.apply(
      () => `${args.kafkaNamespace}/${args.clusterName}-cluster-ca-cert`,
    );
    const clusterCa = k8s.core.v1.Secret.get("cluster-ca-cert", caSecretId, {
      parent: this,
      ...(opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {}),
    });
    const caCertificate = clusterCa.data.apply((d) => {
      const ca = d?.["ca.crt"];
      if (ca === undefined) {
        throw new Error(
          `${args.kafkaNamespace}/${args.clusterName}-cluster-ca-cert has no ca.crt: has the Strimzi operator created the cluster?`,
        );
      }
      return ca;
    });
    const keys = [
      ...Object.values(SERVICE_CREDENTIALS_KEYS),
      ...(args.schemaRegistryUrl !== undefined ? [SCHEMA_REGISTRY_URL_KEY] : []),
    ];
    const mounts: Record<string, ServiceMount> = {};
    for (const a of args.access) {
      const password = args.passwords.passwords.get(a.service);
      const namespace = args.passwords.namespaces.get(a.namespace);
      if (password === undefined || namespace === undefined) {
        throw new Error(`no password or namespace for service ${a.service}`);
      }
      const secret = serviceCredentialsSecretName(a.service);
      new k8s.core.v1.Secret(
        `${a.service}-kafka-credentials`,
        {
          metadata: {
            name: secret,
            namespace: a.namespace,
            labels: { ...args.labels, "kafka-platform.chat/service": a.service },
          },
          type: "Opaque",
          data: {
            [SERVICE_CREDENTIALS_KEYS.username]: b64(a.username),
            [SERVICE_CREDENTIALS_KEYS.password]: pulumi.secret(password.apply(b64)),
            [SERVICE_CREDENTIALS_KEYS.caCertificate]: caCertificate,
            [SERVICE_CREDENTIALS_KEYS.bootstrapServers]: b64(args.bootstrapServers),
            ...(args.schemaRegistryUrl !== undefined
              ? { [SCHEMA_REGISTRY_URL_KEY]: b64(args.schemaRegistryUrl) }
              : {}),
          },
        },
        { parent: this, dependsOn: [namespace] },
      );
      mounts[a.service] = { namespace: a.namespace, secret, keys };
    }
    this.mounts = mounts;
    this.registerOutputs({});
  }
}

/** The labels and the service list both halves take, from the platform model. */
export function credentialArgs(model: {
  readonly access: readonly Pick<ServiceAccess, "service" | "username" | "namespace">[];
  readonly config: { readonly kubernetes: { readonly clientNamespaceLabel: string } };
}): Pick<ServicePasswordsArgs, "access" | "clientNamespaceLabel" | "labels"> {
  return {
    access: model.access,
    clientNamespaceLabel: model.config.kubernetes.clientNamespaceLabel,
    labels: {
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/part-of": "kafka-platform",
    },
  };
}

/** The stack output: service to `<namespace>/<secret>`, what its pods mount. */
export function serviceSecretRefs(
  mounts: Readonly<Record<string, ServiceMount>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(mounts).map(([service, m]) => [service, `${m.namespace}/${m.secret}`]),
  );
}
