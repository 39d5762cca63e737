import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

/**
 * Validates rendered Kubernetes objects against the real CustomResourceDefinitions in
 * `../shared/schemas` (Strimzi and prometheus-operator), read by path and never copied.
 *
 * The CRD's `spec.versions[served].schema.openAPIV3Schema` is compiled with ajv, adapted the
 * way the API server reads it:
 * - `x-kubernetes-*` keywords are accepted (the CEL rules in `x-kubernetes-validations` are not
 *   evaluated: ajv has no CEL);
 * - `x-kubernetes-int-or-string` fields take an integer or a string;
 * - the Go-only inline flag `(?i)` becomes JavaScript's `i` flag;
 * - the OpenAPI formats int32, int64 and date-time are checked;
 * - unknown fields are rejected (as `kubectl apply --validate=strict` does) except under
 *   `x-kubernetes-preserve-unknown-fields` or an explicit `additionalProperties`.
 *
 * Objects of kinds without a CRD here (ConfigMap, NetworkPolicy, ...) get status `no-crd`, and
 * `coreKubernetes` says whether the apiVersion is a built-in Kubernetes group, so callers decide.
 */

export const SCHEMAS_DIR = new URL("../../../shared/schemas/", import.meta.url).pathname;
const CRD_DIRS = ["strimzi", "prometheus-operator"] as const;

/** API groups built into Kubernetes: objects there have no CRD and are reported as `no-crd`. */
const CORE_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "autoscaling",
  "storage.k8s.io",
  "coordination.k8s.io",
  "scheduling.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "discovery.k8s.io",
  "certificates.k8s.io",
]);

export interface ObjectLike {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: unknown;
  readonly [k: string]: unknown;
}

export type ObjectValidation =
  | { readonly status: "valid"; readonly ref: string; readonly valid: true; readonly errors: [] }
  | {
      readonly status: "invalid";
      readonly ref: string;
      readonly valid: false;
      readonly errors: readonly string[];
    }
  | {
      readonly status: "no-crd";
      readonly ref: string;
      /** Not validated: there is no CRD for this apiVersion/kind. */
      readonly valid: false;
      /** True for built-in Kubernetes groups (v1, policy/v1, networking.k8s.io/v1, ...). */
      readonly coreKubernetes: boolean;
      /** Problems found without a schema (metadata naming rules). */
      readonly errors: readonly string[];
    };

type JsonSchema = Record<string, unknown>;

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema: JsonSchema;
}
interface CrdEntry {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  /** Parsed on first use: the CRD files are large and most runs need only a few. */
  versions(): readonly CrdVersion[];
}

let crdIndex: Map<string, CrdEntry> | undefined;
const compiled = new Map<string, ValidateFunction>();

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseCrds(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown)
    .filter(
      (crd): crd is Record<string, unknown> =>
        isRecord(crd) && crd.kind === "CustomResourceDefinition" && isRecord(crd.spec),
    );
}

function versionsOf(crd: Record<string, unknown>): CrdVersion[] {
  const spec = crd.spec as Record<string, unknown>;
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  return versions.filter(isRecord).map((v) => ({
    name: String(v.name),
    served: v.served === true,
    schema: (isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema)
      ? v.schema.openAPIV3Schema
      : {}),
  }));
}

/**
 * Indexes every CRD by `<group>/<kind>`. A file holding one CRD in the usual layout is
 * indexed from its `spec.group` and `spec.names.kind` lines and parsed only when used;
 * anything else is parsed at once.
 */
function crds(): Map<string, CrdEntry> {
  if (crdIndex) return crdIndex;
  const index = new Map<string, CrdEntry>();
  for (const dir of CRD_DIRS) {
    const full = join(SCHEMAS_DIR, dir);
    for (const f of readdirSync(full).filter((n) => /\.ya?ml$/.test(n))) {
      const path = join(full, f);
      const text = readFileSync(path, "utf8");
      const group = /^ {2}group: (\S+)$/m.exec(text)?.[1];
      const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\S+)$/m.exec(text)?.[1];
      const single = text.split(/^---$/m).filter((d) => d.trim() !== "").length === 1;
      if (group !== undefined && kind !== undefined && single) {
        let versions: CrdVersion[] | undefined;
        index.set(`${group}/${kind}`, {
          file: path,
          group,
          kind,
          versions: () => (versions ??= parseCrds(path).flatMap(versionsOf)),
        });
        continue;
      }
      for (const crd of parseCrds(path)) {
        const spec = crd.spec as Record<string, unknown>;
        const names = isRecord(spec.names) ? spec.names : {};
        const versions = versionsOf(crd);
        index.set(`${String(spec.group)}/${String(names.kind)}`, {
          file: path,
          group: String(spec.group),
          kind: String(names.kind),
          versions: () => versions,
        });
      }
    }
  }
  crdIndex = index;
  return index;
}

/**
 * Rewrites a structural schema into what ajv checks like the API server: int-or-string
 * becomes a type union, and objects that declare properties reject fields they do not list.
 */
function adaptSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adaptSchema);
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "properties" && isRecord(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, adaptSchema(s)]));
    } else out[k] = adaptSchema(v);
  }
  if (out["x-kubernetes-int-or-string"] === true) {
    // The type is open to both; any anyOf/pattern from the CRD still applies to strings.
    delete out.type;
    if (!Array.isArray(out.anyOf)) out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (
    out.type === "object" &&
    isRecord(out.properties) &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** Go's RE2 knows the inline flag `(?i)`; JavaScript needs it as a flag on the whole regex. */
function goRegExp(pattern: string, flags: string): RegExp {
  if (pattern.includes("(?i)")) return new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`);
  return new RegExp(pattern, flags);
}
goRegExp.code = 'require("./crd-schema-validator").goRegExp';

function newAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    code: { regExp: goRegExp },
  });
  const INT32 = 2 ** 31;
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv;
}
let ajvInstance: Ajv | undefined;

function validatorFor(entry: CrdEntry, version: CrdVersion): ValidateFunction {
  const key = `${entry.group}/${version.name}/${entry.kind}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  ajvInstance ??= newAjv();
  const fn = ajvInstance.compile(adaptSchema(version.schema) as JsonSchema);
  compiled.set(key, fn);
  return fn;
}

/** `Kafka/kafka/chat-kafka`: how errors name an object. */
export function objectRef(obj: ObjectLike): string {
  const md = isRecord(obj.metadata) ? obj.metadata : {};
  const ns = typeof md.namespace === "string" ? `${md.namespace}/` : "";
  const name = typeof md.name === "string" ? md.name : "<no name>";
  return `${typeof obj.kind === "string" ? obj.kind : "<no kind>"}/${ns}${name}`;
}

function jsonPath(e: ErrorObject): string {
  const segments = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  let path = "$";
  for (const s of segments) path += /^[0-9]+$/.test(s) ? `[${s}]` : `.${s}`;
  if (e.keyword === "additionalProperties") {
    return `${path}.${String((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (e.keyword === "required") {
    return `${path}.${String((e.params as { missingProperty: string }).missingProperty)}`;
  }
  return path;
}

function describeError(e: ErrorObject): string {
  switch (e.keyword) {
    case "additionalProperties":
      return "unknown field (not in the CRD schema)";
    case "required":
      return "is required";
    case "enum":
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return e.message ?? e.keyword;
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Checks what the API server checks on every object's metadata. */
function metadataErrors(obj: ObjectLike): string[] {
  const errors: string[] = [];
  const md = obj.metadata;
  if (!isRecord(md)) return ["$.metadata: is required"];
  if (typeof md.name !== "string" || !DNS_SUBDOMAIN.test(md.name) || md.name.length > 253) {
    errors.push(
      `$.metadata.name: must be a DNS subdomain (lowercase, digits, '-', '.'), got ${JSON.stringify(md.name)}`,
    );
  }
  if (md.namespace !== undefined && (typeof md.namespace !== "string" || md.namespace === "")) {
    errors.push(`$.metadata.namespace: must be a non-empty string`);
  }
  for (const field of ["labels", "annotations"] as const) {
    const map = md[field];
    if (map === undefined) continue;
    if (!isRecord(map)) {
      errors.push(`$.metadata.${field}: must be a map of strings`);
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== "string") errors.push(`$.metadata.${field}["${k}"]: must be a string`);
      else if (field === "labels" && (v.length > 63 || !LABEL_VALUE.test(v)))
        errors.push(`$.metadata.labels["${k}"]: "${v}" is not a valid label value`);
    }
  }
  return errors;
}

/** Validates one object against the CRD for its apiVersion and kind. */
export function validateObject(obj: ObjectLike): ObjectValidation {
  const ref = objectRef(obj);
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const kind = typeof obj.kind === "string" ? obj.kind : "";
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const meta = metadataErrors(obj);
  if (apiVersion === "" || kind === "") {
    return {
      status: "invalid",
      ref,
      valid: false,
      errors: [`${ref}: apiVersion and kind are required`, ...meta.map((m) => `${ref}: ${m}`)],
    };
  }
  const entry = crds().get(`${group}/${kind}`);
  if (entry === undefined) {
    const groupHasCrds = [...crds().values()].some((e) => e.group === group);
    if (groupHasCrds) {
      const kinds = [...crds().values()].filter((e) => e.group === group).map((e) => e.kind);
      return {
        status: "invalid",
        ref,
        valid: false,
        errors: [
          `${ref}: group ${group} has no kind ${kind} (allowed: ${kinds.sort().join(", ")})`,
        ],
      };
    }
    return {
      status: "no-crd",
      ref,
      valid: false,
      coreKubernetes: CORE_GROUPS.has(group),
      errors: meta.map((m) => `${ref}: ${m}`),
    };
  }
  const served = entry.versions().filter((v) => v.served);
  const match = served.find((v) => v.name === version);
  if (match === undefined) {
    return {
      status: "invalid",
      ref,
      valid: false,
      errors: [
        `${ref}: $.apiVersion: ${apiVersion} is not served by the CRD (allowed: ${served.map((v) => `${group}/${v.name}`).join(", ")})`,
      ],
    };
  }
  const fn = validatorFor(entry, match);
  const errors = fn(obj) ? [] : (fn.errors ?? []).map((e) => `${jsonPath(e)}: ${describeError(e)}`);
  const all = [...new Set([...meta, ...errors])].map((m) => `${ref}: ${m}`);
  return all.length === 0
    ? { status: "valid", ref, valid: true, errors: [] }
    : { status: "invalid", ref, valid: false, errors: all };
}

export interface AssertValidOptions {
  /** Accept objects of built-in Kubernetes kinds, which have no CRD here (default true). */
  readonly allowCoreKinds?: boolean;
}

/** Every error of every object (empty when all are valid); unknown non-core kinds are errors. */
export function validationErrors(
  objects: readonly ObjectLike[],
  options: AssertValidOptions = {},
): string[] {
  const allowCore = options.allowCoreKinds ?? true;
  const errors: string[] = [];
  for (const obj of objects) {
    const r = validateObject(obj);
    if (r.status === "invalid") errors.push(...r.errors);
    if (r.status === "no-crd") {
      errors.push(...r.errors);
      if (!r.coreKubernetes || !allowCore) {
        errors.push(
          `${r.ref}: no CRD for ${String(obj.apiVersion)} ${String(obj.kind)} in ${SCHEMAS_DIR}`,
        );
      }
    }
  }
  return errors;
}

/** Throws one error listing every problem (object and JSON path) when any object is invalid. */
export function assertValid(
  objects: readonly ObjectLike[],
  options: AssertValidOptions = {},
): void {
  const errors = validationErrors(objects, options);
  if (errors.length > 0) {
    throw new Error(
      `${errors.length} object validation error${errors.length === 1 ? "" : "s"}:\n${errors.map((e) => `  - ${e}`).join("\n")}`,
    );
  }
}

/** The CRD kinds known to the validator, as `<group>/<kind>` (for tests and messages). */
export function knownCrdKinds(): string[] {
  return [...crds().keys()].sort();
}
