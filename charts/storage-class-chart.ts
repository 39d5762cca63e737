import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformLabels } from "./labels.ts";
import type { PlatformModel } from "./model.ts";

export const STORAGE_CHART = "storage";

/**
 * The StorageClass of the Kafka volumes, when the stack creates it (`cluster.storageClass`
 * with `create: true`): cluster-scoped, so it lives in a chart without a namespace.
 * `WaitForFirstConsumer` binds a volume in the zone its pod was scheduled to (the pools spread
 * over zones), `allowVolumeExpansion` lets a full disk grow, and prod keeps volumes whose claim
 * is deleted (`Retain`, enforced by the schema).
 */
export class StorageClassChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, STORAGE_CHART);
    const sc = model.config.cluster.storageClass;
    if (sc === undefined || !sc.create) return;
    new ApiObject(this, "storage-class", {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: sc.name, labels: platformLabels(model) },
      provisioner: sc.provisioner,
      ...(sc.parameters !== undefined ? { parameters: { ...sc.parameters } } : {}),
      reclaimPolicy: sc.reclaimPolicy,
      volumeBindingMode: sc.volumeBindingMode,
      allowVolumeExpansion: sc.allowVolumeExpansion,
    });
  }
}
