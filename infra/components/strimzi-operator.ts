import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface StrimziOperatorArgs {
  /** An OCI chart reference, or the absolute path of a chart folder. */
  readonly chart: string;
  readonly version: string;
  /** Where the cluster operator runs. */
  readonly namespace: string;
  /** The namespaces it watches: the Kafka cluster's. */
  readonly watchNamespaces: readonly string[];
  /**
   * Wait until the operator runs, rolling back a release that does not (atomic). false where
   * no pod can run: the local control plane (docs/control-plane.md).
   */
  readonly awaitReady: boolean;
}

/**
 * The Strimzi cluster operator from its Helm chart, as a `helm.v3.Release`.
 *
 * Why a Release and not `helm.v4.Chart`: a v4 Chart renders the chart against the live cluster
 * during preview and cannot preview without one (pulumi-kubernetes issue 3027), while a Release
 * previews offline and Helm keeps its own history (`helm history`, rollback) for the operator.
 * What it costs: the Deployment and RBAC inside are not shown one by one in the diff.
 *
 * CRDs are never installed by the chart (`skipCrds`): StrimziCrds owns them. The operator
 * watches exactly the cluster namespace (RoleBindings there, not cluster-wide); its own
 * namespace is always watched, and listing it again would make Helm create duplicate
 * RoleBindings, so it is filtered out.
 */
export class StrimziOperator extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: StrimziOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:strimzi:Operator", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      "strimzi-cluster-operator",
      {
        name: "strimzi-cluster-operator",
        chart: args.chart,
        version: args.version,
        namespace: args.namespace,
        createNamespace: false,
        skipCrds: true,
        atomic: args.awaitReady,
        skipAwait: !args.awaitReady,
        values: strimziOperatorValues(args),
      },
      // A component's dependsOn does not hold back its children: pass it on to the Release.
      { parent: this, ...(opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {}) },
    );
    this.registerOutputs({});
  }
}

/** The chart values: pure, so the watched namespaces are tested directly. */
export function strimziOperatorValues(
  args: Pick<StrimziOperatorArgs, "namespace" | "watchNamespaces">,
): { watchAnyNamespace: false; watchNamespaces: string[] } {
  return {
    watchAnyNamespace: false,
    watchNamespaces: [...new Set(args.watchNamespaces)].filter((n) => n !== args.namespace),
  };
}
