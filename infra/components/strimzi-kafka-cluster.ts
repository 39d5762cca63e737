import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ManifestGroupPlan } from "../manifest-plan.ts";

export interface StrimziKafkaClusterArgs {
  /** From planManifestGroups: the rendered objects, split into ordered, protected groups. */
  readonly groups: readonly ManifestGroupPlan[];
  /** What every group needs first: the namespaces. */
  readonly namespaces: readonly pulumi.Resource[];
  /** What groups holding Strimzi custom resources need first: the CRDs and the operator. */
  readonly operator: readonly pulumi.Resource[];
}

/**
 * The Kafka cluster exactly as `npm run render` writes it: one `k8s.yaml.v2.ConfigGroup` per
 * (chart, tier), holding the rendered objects unchanged. There is no second definition here;
 * change the catalog or the charts, never the objects in this file.
 */
export class StrimziKafkaCluster extends pulumi.ComponentResource {
  readonly groups: ReadonlyMap<string, k8s.yaml.v2.ConfigGroup>;

  constructor(name: string, args: StrimziKafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-platform:strimzi:KafkaCluster", name, {}, opts);
    const created = new Map<string, k8s.yaml.v2.ConfigGroup>();
    // Plans list groups in tier order, so every group's predecessors already exist.
    for (const plan of args.groups) {
      const after = plan.after.map((n) => {
        const g = created.get(n);
        if (g === undefined) throw new Error(`manifest group ${plan.name} follows unknown ${n}`);
        return g;
      });
      created.set(
        plan.name,
        new k8s.yaml.v2.ConfigGroup(
          plan.name,
          { objs: plan.objects.map((o) => ({ ...o })) },
          {
            parent: this,
            protect: plan.protect,
            dependsOn: [...args.namespaces, ...(plan.needsOperator ? args.operator : []), ...after],
          },
        ),
      );
    }
    this.groups = created;
    this.registerOutputs({});
  }
}
