import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../strimzi-release.ts";

export interface StrimziCrdsArgs {
  /** The release's CRDs, checksum-verified and normalized (loadStrimziCrds). */
  readonly crds: readonly KubernetesObject[];
  /** Strimzi version, recorded as an output. */
  readonly version: string;
}

/**
 * The Strimzi CustomResourceDefinitions, applied as resources of their own before the operator:
 * `helm upgrade` never updates a chart's CRDs (strimzi issue 12039), so the operator release is
 * installed with `skipCrds` and upgrading Strimzi means bumping the pinned CRDs first.
 *
 * Protect this component in any stack with data: deleting a CRD deletes every custom resource
 * of its kind, the Kafka cluster and its topics included. Children inherit `protect`.
 */
export class StrimziCrds extends pulumi.ComponentResource {
  readonly manifest: k8s.yaml.v2.ConfigGroup;
  readonly version: string;

  constructor(name: string, args: StrimziCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:strimzi:Crds", name, {}, opts);
    this.version = args.version;
    this.manifest = new k8s.yaml.v2.ConfigGroup(
      "crds",
      { objs: args.crds.map((o) => ({ ...o })) },
      // Earlier versions applied the same CRDs as a ConfigFile of the release URL.
      { parent: this, aliases: [{ type: "kubernetes:yaml/v2:ConfigFile" }] },
    );
    this.registerOutputs({ version: args.version });
  }
}
