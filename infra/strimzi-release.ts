import { STRIMZI_VERSION } from "./config/schema.ts";

/**
 * The pinned Strimzi release artifacts. Both come from the same upstream release as the CRDs
 * in ../shared/schemas/strimzi that every rendered object is validated against.
 */
export const strimziRelease = {
  version: STRIMZI_VERSION,
  /** The CRD manifest attached to the GitHub release (all kafka.strimzi.io CRDs, v1 only). */
  crdManifestUrl: `https://github.com/strimzi/strimzi-kafka-operator/releases/download/${STRIMZI_VERSION}/strimzi-crds-${STRIMZI_VERSION}.yaml`,
  /** The operator's Helm chart (OCI registry). */
  helmChart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
} as const;
