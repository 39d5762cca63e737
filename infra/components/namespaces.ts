import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface PlatformNamespacesArgs {
  /** Where the Strimzi cluster operator runs; omit when no operator runs (kafka-provider). */
  readonly operatorNamespace?: string;
  /** Where the Kafka cluster, its topics, users and credentials Secrets live. */
  readonly clusterNamespace: string;
  /** Protect the cluster namespace: deleting it deletes everything in it. */
  readonly protectClusterNamespace: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The platform's namespaces: the Kafka cluster's and, when it differs, the operator's.
 * Everything namespaced depends on them, so `pulumi destroy` deletes them last.
 */
export class PlatformNamespaces extends pulumi.ComponentResource {
  readonly cluster: k8s.core.v1.Namespace;
  readonly operator?: k8s.core.v1.Namespace;

  constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:k8s:PlatformNamespaces", name, {}, opts);
    this.cluster = new k8s.core.v1.Namespace(
      "cluster",
      { metadata: { name: args.clusterNamespace, labels: { ...args.labels } } },
      { parent: this, protect: args.protectClusterNamespace },
    );
    if (args.operatorNamespace !== undefined && args.operatorNamespace !== args.clusterNamespace) {
      this.operator = new k8s.core.v1.Namespace(
        "operator",
        { metadata: { name: args.operatorNamespace, labels: { ...args.labels } } },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }

  /** Every namespace, for dependsOn. */
  all(): k8s.core.v1.Namespace[] {
    return this.operator === undefined ? [this.cluster] : [this.cluster, this.operator];
  }
}
