import { describe, expect, it } from "vitest";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";

/**
 * Issue 14, item 1: since Strimzi 0.49 `rack` adds no anti-affinity, so each pool must spread
 * its own pods over zones and nodes; and the volumes need a StorageClass that binds where the
 * pod lands and can grow. Expected values are written out here from the issue, not taken from
 * the chart code.
 */
const stacks = renderedStacks();

describe.each(stacks.map((s) => [s.stack, s] as const))("stack %s", (_name, rendered) => {
  const cfg = rendered.model.config;
  const pools = ofKind(rendered.objects, "KafkaNodePool");

  it("spreads every pool over zones (maxSkew 1, DoNotSchedule) and over nodes", () => {
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) {
      const selector = {
        matchLabels: {
          "strimzi.io/cluster": "chat-kafka",
          "strimzi.io/pool-name": p.metadata.name,
        },
      };
      const constraints = field(p, "spec", "template", "pod", "topologySpreadConstraints");
      const zoneCount = cfg.cluster.zones?.length ?? 0;
      expect(constraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: selector,
          ...(zoneCount > 1 ? { minDomains: zoneCount } : {}),
        },
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: selector,
        },
      ]);
    }
  });

  it("keeps staging and prod pods in the zones the stack names (three in prod)", () => {
    if (cfg.environment === "dev") return;
    const region = cfg.region;
    const zones = [`${region}a`, `${region}b`, `${region}c`];
    expect(cfg.cluster.zones).toEqual(zones);
    for (const p of pools) {
      expect(field(p, "spec", "template", "pod", "affinity")).toEqual({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "topology.kubernetes.io/zone", operator: "In", values: zones },
                ],
              },
            ],
          },
        },
      });
    }
  });

  it("creates the volumes' StorageClass outside dev: WaitForFirstConsumer, expandable, Retain in prod", () => {
    const classes = ofKind(rendered.objects, "StorageClass");
    if (cfg.environment === "dev") {
      expect(classes).toEqual([]);
      return;
    }
    expect(classes).toHaveLength(1);
    const sc = classes[0]!;
    expect(sc.metadata.namespace).toBeUndefined();
    expect(sc).toMatchObject({
      apiVersion: "storage.k8s.io/v1",
      metadata: { name: "kafka-gp3" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: cfg.environment === "prod" ? "Retain" : "Delete",
    });
    for (const p of pools) {
      const volumes = field(p, "spec", "storage", "volumes") as { class?: string }[];
      for (const v of volumes) expect(v.class).toBe("kafka-gp3");
    }
  });
});
