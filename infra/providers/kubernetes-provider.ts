import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema.ts";

export interface KubernetesProviderArgs {
  readonly config: Pick<StackConfig, "environment" | "region" | "kubernetes">;
  /** The `kubeconfig` secret config value, if the stack sets one. */
  readonly kubeconfig?: pulumi.Output<string>;
}

/** The stable identity of the stack's cluster: `<environment>-<region>`. */
export function clusterIdentifier(config: Pick<StackConfig, "environment" | "region">): string {
  return `${config.environment}-${config.region}`;
}

/**
 * One explicit Kubernetes provider per stack, so nothing ever lands on whatever cluster the
 * ambient kubeconfig happens to point at. Its target comes from stack config:
 * `kubernetes.context` picks a context, the `kubeconfig` secret supplies the file content;
 * with neither, the ambient kubeconfig's current context is used.
 *
 * `clusterIdentifier` pins the provider's identity: rotating the kubeconfig secret or renaming
 * the context is then an update, never a provider replacement (which would replace every
 * object on the cluster, the Kafka cluster included).
 */
export function createKubernetesProvider(
  name: string,
  args: KubernetesProviderArgs,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  return new k8s.Provider(
    name,
    {
      ...(args.config.kubernetes.context !== undefined
        ? { context: args.config.kubernetes.context }
        : {}),
      ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
      clusterIdentifier: clusterIdentifier(args.config),
      enableServerSideApply: true,
    },
    opts,
  );
}
