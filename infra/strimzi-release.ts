import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "./config/load.ts";
import { STRIMZI_VERSION } from "./config/schema.ts";

/**
 * The pinned Strimzi release artifacts: its CRDs and the operator's Helm chart, from the same
 * upstream release (1.2.0) as the CRD schemas in ../shared/schemas/strimzi that every rendered
 * object is validated against.
 */
export const strimziRelease = {
  version: STRIMZI_VERSION,
  /** The released chart: its `crds/` folder holds all ten CRDs of the release. */
  chartDir: join(REPO_ROOT, "..", "shared", "strimzi-helm-chart"),
  /** sha256 of the ten CRD files concatenated in name order (`cat crds/*.yaml | sha256sum`). */
  crdsSha256: "3135c402804c5fe57d930a2aeed63b0a0dcd76520ed494c039ad68090769680b",
  /** The operator's published Helm chart (OCI registry). */
  helmChart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
} as const;

export type KubernetesObject = Record<string, unknown> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string } & Record<string, unknown>;
};

/**
 * Removes what the API server drops when it stores a CRD, so that a stored CRD equals what is
 * applied and `pulumi preview` after `up` shows no change: an empty `properties: {}` map (the
 * 1.2.0 Kafka CRD has one under `status.clusterSecurity`; upstream dropped it after 1.2.0).
 */
export function normalizeCrd<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => normalizeCrd(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (
      k === "properties" &&
      v !== null &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      Object.keys(v).length === 0
    ) {
      continue;
    }
    out[k] = normalizeCrd(v);
  }
  return out as T;
}

/**
 * The release's CRDs, checked against the pinned checksum and normalized. Throws, naming the
 * folder and both checksums, when the files are not the pinned release's.
 */
export function loadStrimziCrds(
  dir: string = join(strimziRelease.chartDir, "crds"),
  sha256: string = strimziRelease.crdsSha256,
): KubernetesObject[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
  } catch {
    throw new Error(
      `the Strimzi ${STRIMZI_VERSION} CRDs are missing: no folder ${dir} (the released chart is read from ../shared/strimzi-helm-chart beside the repository)`,
    );
  }
  const hash = createHash("sha256");
  const texts = files.map((f) => readFileSync(join(dir, f), "utf8"));
  texts.forEach((t) => hash.update(t));
  const actual = hash.digest("hex");
  if (actual !== sha256) {
    throw new Error(
      `the Strimzi CRDs in ${dir} are not the pinned ${STRIMZI_VERSION} release: sha256 ${actual}, pinned ${sha256} (infra/strimzi-release.ts)`,
    );
  }
  return texts.flatMap((t) =>
    parseAllDocuments(t)
      .map((d) => d.toJS() as unknown)
      .filter((o): o is KubernetesObject => o !== null && typeof o === "object")
      .map((o) => normalizeCrd(o)),
  );
}
