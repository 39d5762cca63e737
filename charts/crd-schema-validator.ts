import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
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
 * - the Go-only inline flag `(?i)` becomes explicit letter classes (`[aA]`);
 * - the OpenAPI formats become plain keywords: int32 bounds, a date-time pattern;
 * - unknown fields are rejected (as `kubectl apply --validate=strict` does) except under
 *   `x-kubernetes-preserve-unknown-fields` or an explicit `additionalProperties`.
 *
 * Compiled validators are cached under `.cache/crd-validators/` (see compileCrd).
 *
 * Objects of kinds without a CRD here (ConfigMap, NetworkPolicy, ...) get status `no-crd`, and
 * `coreKubernetes` says whether the apiVersion is a built-in Kubernetes group, so callers decide.
 */

export const SCHEMAS_DIR = new URL("../../shared/schemas/", import.meta.url).pathname;
const CRD_DIRS = ["strimzi", "prometheus-operator"] as const;
/**
 * CRDs that ../shared/schemas lacks, read by path from Strimzi 1.2.0's Helm chart (never copied
 * in): KafkaConnector, for the heartbeat connector (decision 0015).
 */
export const EXTRA_CRD_FILES: readonly string[] = [
  new URL("../../shared/strimzi-helm-chart/crds/047-Crd-kafkaconnector.yaml", import.meta.url)
    .pathname,
];

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
    schema:
      isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : {},
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
  const files = [
    ...CRD_DIRS.flatMap((dir) => {
      const full = join(SCHEMAS_DIR, dir);
      return readdirSync(full)
        .filter((n) => /\.ya?ml$/.test(n))
        .map((f) => join(full, f));
    }),
    ...EXTRA_CRD_FILES,
  ];
  for (const path of files) {
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
  crdIndex = index;
  return index;
}

/** Go's RE2 inline flag `(?i)`, which JavaScript lacks: letters become `[xX]` classes instead. */
export function caseInsensitivePattern(pattern: string): string {
  if (!pattern.includes("(?i)")) return pattern;
  const source = pattern.replaceAll("(?i)", "");
  const swap = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      out += c + (source[i + 1] ?? "");
      i++;
    } else if (c === "[") {
      // A class keeps its content and gains the same content with letters in the other case.
      let body = "";
      let j = i + 1;
      while (j < source.length && source[j] !== "]") {
        body += source[j] === "\\" ? source[j]! + (source[++j] ?? "") : source[j]!;
        j++;
      }
      const other = body.replace(/\\.|[a-zA-Z]/g, (m) => (m.length === 1 ? swap(m) : m));
      out += `[${body}${other === body ? "" : other.replace(/^\^/, "")}]`;
      i = j;
    } else if (/[a-zA-Z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else out += c;
  }
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const DATE_TIME =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

/**
 * Rewrites a structural schema into plain JSON Schema that ajv checks like the API server:
 * - int-or-string becomes a type union (a CRD pattern then applies to strings only);
 * - objects that declare properties reject fields they do not list;
 * - the OpenAPI formats become bounds (int32) or patterns (date-time), int64 is any integer;
 * - Go's `(?i)` becomes explicit letter classes.
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
  if (out.format === "int32") {
    out.minimum ??= INT32_MIN;
    out.maximum ??= INT32_MAX;
  }
  if (out.format === "date-time") out.pattern ??= DATE_TIME;
  delete out.format;
  if (typeof out.pattern === "string") out.pattern = caseInsensitivePattern(out.pattern);
  return out;
}

/**
 * Compiled validators are cached as standalone ajv code under .cache/crd-validators/, keyed
 * by the CRD file's content and this module's source, so each process does not recompile the
 * large Kafka schema. A stale or unwritable cache only costs a compile.
 */
const CACHE_DIR = new URL("../.cache/crd-validators/", import.meta.url).pathname;
const requireCjs = createRequire(import.meta.url);
/** ajv's standalone code generator (CommonJS: its default export is the module itself). */
const standaloneCode = requireCjs("ajv/dist/standalone") as (
  ajv: Ajv,
  refs: Record<string, string>,
) => string;
let moduleSource: string | undefined;

interface CompiledCrd {
  readonly served: readonly string[];
  readonly validators: ReadonlyMap<string, ValidateFunction>;
}
const compiledCrds = new Map<string, CompiledCrd>();

function cacheKey(entry: CrdEntry): string {
  moduleSource ??= readFileSync(new URL(import.meta.url).pathname, "utf8");
  return createHash("sha256")
    .update(readFileSync(entry.file))
    .update(moduleSource)
    .update(`${entry.group}/${entry.kind}`)
    .digest("hex")
    .slice(0, 24);
}

function compileCrd(entry: CrdEntry): CompiledCrd {
  const done = compiledCrds.get(`${entry.file}#${entry.kind}`);
  if (done) return done;
  const file = join(CACHE_DIR, `${entry.kind}-${cacheKey(entry)}.cjs`);
  let result: CompiledCrd | undefined;
  if (existsSync(file)) {
    try {
      const mod = requireCjs(file) as Record<string, unknown> & { served: string[] };
      result = {
        served: mod.served,
        validators: new Map(mod.served.map((v) => [v, mod[`v_${v}`] as ValidateFunction])),
      };
    } catch {
      result = undefined;
    }
  }
  if (result === undefined) {
    const served = entry.versions().filter((v) => v.served);
    const ajv = new Ajv({ strict: false, allErrors: true, code: { source: true } });
    const validators = new Map<string, ValidateFunction>();
    for (const v of served) {
      ajv.addSchema(adaptSchema(v.schema) as JsonSchema, `v_${v.name}`);
      validators.set(v.name, ajv.getSchema(`v_${v.name}`)!);
    }
    result = { served: served.map((v) => v.name), validators };
    try {
      const refs = Object.fromEntries(served.map((v) => [`v_${v.name}`, `v_${v.name}`]));
      const code = `${standaloneCode(ajv, refs)}\nexports.served = ${JSON.stringify(result.served)};\n`;
      mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    } catch {
      // No cache this time; the compiled validators still serve this process.
    }
  }
  compiledCrds.set(`${entry.file}#${entry.kind}`, result);
  return result;
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
  const { served, validators } = compileCrd(entry);
  const fn = validators.get(version);
  if (fn === undefined) {
    return {
      status: "invalid",
      ref,
      valid: false,
      errors: [
        `${ref}: $.apiVersion: ${apiVersion} is not served by the CRD (allowed: ${served.map((v) => `${group}/${v}`).join(", ")})`,
      ],
    };
  }
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
