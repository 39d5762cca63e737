import type { K8sObject, RenderedChart } from "../charts/index.ts";
import type { DataProtection } from "./protection.ts";

/**
 * How the rendered charts are applied: each chart's objects are split, by kind only, into
 * ordered tiers. Each non-empty (chart, tier) pair becomes one `k8s.yaml.v2.ConfigGroup`
 * holding exactly the rendered objects, unchanged.
 *
 * Apply order (and, reversed, destroy order):
 *   prerequisites -> cluster -> topics -> dependents
 * - `prerequisites`: plain configuration the cluster refers to (metrics ConfigMap,
 *   NetworkPolicies, PodDisruptionBudgets, the StorageClass of its volumes...). Nothing here waits for Kafka.
 * - `cluster`: Kafka and KafkaNodePools. They also depend on the CRDs and the operator.
 * - `topics`: KafkaTopics. They depend on the cluster, so `pulumi destroy` deletes them while
 *   the Kafka cluster's topic operator still runs and can remove its `strimzi.io/topic-operator`
 *   finalizer; otherwise namespace deletion hangs (strimzi issue 11901).
 * - `dependents`: everything else (KafkaUsers, MirrorMaker 2, workloads, monitoring objects),
 *   after the cluster and topics exist and deleted before them.
 *
 * The tier is a function of the kind alone, never of config, so toggling protection never moves
 * an object from one group to another (which would delete and recreate it).
 */
export type ManifestTier = "prerequisites" | "cluster" | "topics" | "dependents";

export const TIER_ORDER: readonly ManifestTier[] = [
  "prerequisites",
  "cluster",
  "topics",
  "dependents",
];

const PREREQUISITE_KINDS = new Set([
  "ConfigMap",
  "Secret",
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "NetworkPolicy",
  "PodDisruptionBudget",
  // The node pools' volumes are provisioned from it: it must exist before them.
  "StorageClass",
]);

const STRIMZI_GROUP = "kafka.strimzi.io";

export function isStrimziObject(obj: Pick<K8sObject, "apiVersion">): boolean {
  return obj.apiVersion.split("/")[0] === STRIMZI_GROUP;
}

export function tierOf(obj: Pick<K8sObject, "apiVersion" | "kind">): ManifestTier {
  if (isStrimziObject(obj)) {
    if (obj.kind === "Kafka" || obj.kind === "KafkaNodePool") return "cluster";
    if (obj.kind === "KafkaTopic") return "topics";
    return "dependents";
  }
  return PREREQUISITE_KINDS.has(obj.kind) ? "prerequisites" : "dependents";
}

export interface ManifestGroupPlan {
  /** Pulumi resource name of the ConfigGroup: `<chart>-<tier>`. */
  readonly name: string;
  readonly chart: string;
  readonly tier: ManifestTier;
  /** The rendered objects, in render order, untouched. */
  readonly objects: readonly K8sObject[];
  readonly protect: boolean;
  /** Whether it needs the Strimzi CRDs and the running operator first. */
  readonly needsOperator: boolean;
  /** Names of the groups (in any chart) it must follow. */
  readonly after: readonly string[];
}

/** Pure: the groups to create (in apply order), their protection and their ordering. */
export function planManifestGroups(
  charts: readonly RenderedChart[],
  protection: DataProtection,
): ManifestGroupPlan[] {
  const groups: Omit<ManifestGroupPlan, "after">[] = [];
  for (const chart of charts) {
    for (const tier of TIER_ORDER) {
      const objects = chart.objects.filter((o) => tierOf(o) === tier);
      if (objects.length === 0) continue;
      groups.push({
        name: `${chart.name}-${tier}`,
        chart: chart.name,
        tier,
        objects,
        protect:
          (tier === "cluster" && protection.cluster) || (tier === "topics" && protection.topics),
        needsOperator: objects.some(isStrimziObject),
      });
    }
  }
  // Tier order first (stable within a tier), so each group's predecessors come before it.
  const byTier = [...groups].sort(
    (a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier),
  );
  return byTier.map((g) => {
    const rank = TIER_ORDER.indexOf(g.tier);
    // Each group follows every group of the tiers before its own, across charts: the
    // cluster's metrics ConfigMap may live in another chart than the Kafka resource.
    const after = groups.filter((o) => TIER_ORDER.indexOf(o.tier) < rank).map((o) => o.name);
    return { ...g, after };
  });
}
