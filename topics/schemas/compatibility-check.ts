import type { CompatibilityMode } from "../compatibility.ts";
import type { JsonSchema } from "./value-schemas.ts";

/**
 * A local compatibility check between two versions of a value schema, for review before a
 * registry is involved (`npm run schemas -- check --base <git-ref>`), and to name the field
 * when the registry refuses a schema (`--against`, `register`). The registry stays the
 * authority: it decides what it accepts.
 *
 * It covers the JSON Schema this repository generates from zod (objects with `properties`,
 * `required` and `additionalProperties`, `anyOf`, `type`, `const`, `enum`, string, number and
 * array bounds, `pattern`, `format`). It asks "does every value the reader schema must read
 * still validate?": BACKWARD reads old data with the new schema, FORWARD new data with the old
 * schema, FULL both. A keyword it does not know on the reading side is reported as a change it
 * cannot prove compatible, never passed silently. No maintained JavaScript library checks JSON
 * Schema compatibility (decision 0012), so this is the repository's own, kept to that subset.
 */
export interface Incompatibility {
  /** Dotted field path in the value, such as `payload.text` (variants: `[chat.message.sent v1]`). */
  readonly path: string;
  /** The rule broken, such as `property-removed` or `required-added`. */
  readonly rule: string;
  readonly detail: string;
  /** Which direction failed: BACKWARD (new reads old) or FORWARD (old reads new). */
  readonly direction: "BACKWARD" | "FORWARD";
}

type Schema = JsonSchema;
type Problem = Omit<Incompatibility, "direction">;

const ANNOTATIONS = new Set(["$schema", "title", "description", "default", "examples", "$comment"]);
const KNOWN = new Set([
  ...ANNOTATIONS,
  "type",
  "const",
  "enum",
  "anyOf",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);

function isSchema(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function types(s: Schema): string[] | undefined {
  if (typeof s.type === "string") return [s.type];
  if (Array.isArray(s.type)) return s.type.map(String);
  return undefined;
}

function values(s: Schema): unknown[] | undefined {
  if ("const" in s) return [s.const];
  if (Array.isArray(s.enum)) return s.enum as unknown[];
  return undefined;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A variant's name from its `type` and `version` constants (the envelope's discriminators). */
function variantKey(s: Schema): string | undefined {
  const props = isSchema(s.properties) ? s.properties : undefined;
  const type = props && isSchema(props.type) ? props.type.const : undefined;
  const version = props && isSchema(props.version) ? props.version.const : undefined;
  return typeof type === "string"
    ? `${type} v${typeof version === "number" ? version : "?"}`
    : undefined;
}

/** The alternatives of a schema, nested `anyOf`s flattened. */
function variants(s: Schema): Schema[] {
  return Array.isArray(s.anyOf) ? s.anyOf.filter(isSchema).flatMap(variants) : [s];
}

/**
 * Problems that make some value valid under `data` invalid under `reader`: an empty list means
 * `reader` accepts everything `data` accepts (as far as the known keywords tell).
 */
export function readerProblems(reader: Schema, data: Schema, path = ""): Problem[] {
  const problems: Problem[] = [];
  const add = (at: string, rule: string, detail: string): void => {
    problems.push({ path: at === "" ? "(value)" : at, rule, detail });
  };
  for (const key of Object.keys(reader)) {
    if (!KNOWN.has(key)) {
      add(
        path,
        "unsupported-keyword",
        `the reading schema uses "${key}", which the check cannot compare`,
      );
    }
  }
  if (Array.isArray(reader.anyOf) || Array.isArray(data.anyOf)) {
    const readerVariants = variants(reader);
    for (const d of variants(data)) {
      const key = variantKey(d);
      const sameKey = key === undefined ? [] : readerVariants.filter((r) => variantKey(r) === key);
      const at = key === undefined ? path : join(path, `[${key}]`);
      if (sameKey.length > 0) {
        problems.push(...readerProblems(sameKey[0]!, d, at));
        continue;
      }
      if (readerVariants.some((r) => readerProblems(r, d, at).length === 0)) continue;
      add(
        at,
        key === undefined ? "variant-removed" : "event-version-removed",
        key === undefined
          ? "no alternative of the reading schema accepts this alternative"
          : `${key} is no longer accepted`,
      );
    }
    return problems;
  }
  const rt = types(reader);
  const dt = types(data);
  if (rt !== undefined) {
    const widened = (t: string): boolean =>
      rt.includes(t) || (t === "integer" && rt.includes("number"));
    const missing = (dt ?? ["any"]).filter((t) => !widened(t));
    if (missing.length > 0) {
      add(path, "type-changed", `type ${(dt ?? ["any"]).join("|")} is read as ${rt.join("|")}`);
      return problems;
    }
  }
  const rv = values(reader);
  if (rv !== undefined) {
    const dv = values(data);
    if (dv === undefined) {
      add(path, "enum-added", `the value is now limited to ${JSON.stringify(rv)}`);
    } else {
      const dropped = dv.filter((v) => !rv.some((r) => JSON.stringify(r) === JSON.stringify(v)));
      if (dropped.length > 0)
        add(path, "enum-value-removed", `${JSON.stringify(dropped)} no longer allowed`);
    }
  }
  const lower = (key: string, rule: string): void => {
    const r = reader[key];
    const d = data[key];
    if (typeof r === "number" && (typeof d !== "number" || d < r)) {
      add(path, rule, `${key} raised to ${r} (was ${typeof d === "number" ? d : "none"})`);
    }
  };
  const upper = (key: string, rule: string): void => {
    const r = reader[key];
    const d = data[key];
    if (typeof r === "number" && (typeof d !== "number" || d > r)) {
      add(path, rule, `${key} lowered to ${r} (was ${typeof d === "number" ? d : "none"})`);
    }
  };
  lower("minLength", "min-length-raised");
  upper("maxLength", "max-length-lowered");
  lower("minimum", "minimum-raised");
  upper("maximum", "maximum-lowered");
  lower("exclusiveMinimum", "minimum-raised");
  upper("exclusiveMaximum", "maximum-lowered");
  lower("minItems", "min-items-raised");
  upper("maxItems", "max-items-lowered");
  for (const key of ["pattern", "format"] as const) {
    if (reader[key] !== undefined && reader[key] !== data[key]) {
      add(
        path,
        `${key}-changed`,
        `${key} ${JSON.stringify(data[key] ?? null)} became ${JSON.stringify(reader[key])}`,
      );
    }
  }
  if (isSchema(reader.items)) {
    problems.push(
      ...readerProblems(reader.items, isSchema(data.items) ? data.items : {}, join(path, "[]")),
    );
  }
  const rp = isSchema(reader.properties) ? reader.properties : {};
  const dp = isSchema(data.properties) ? data.properties : {};
  const dataRequired = Array.isArray(data.required) ? data.required.map(String) : [];
  const readerRequired = Array.isArray(reader.required) ? reader.required.map(String) : [];
  for (const [name, d] of Object.entries(dp)) {
    const r = rp[name];
    if (isSchema(r) && isSchema(d)) problems.push(...readerProblems(r, d, join(path, name)));
    else if (r === undefined && reader.additionalProperties === false) {
      add(join(path, name), "property-removed", "the field is no longer allowed (closed object)");
    } else if (r === undefined && isSchema(reader.additionalProperties) && isSchema(d)) {
      problems.push(...readerProblems(reader.additionalProperties, d, join(path, name)));
    }
  }
  for (const name of readerRequired.filter((n) => !dataRequired.includes(n))) {
    add(
      join(path, name),
      dp[name] === undefined ? "required-field-added" : "field-made-required",
      "values without this field are rejected",
    );
  }
  if (
    reader.additionalProperties === false &&
    data.additionalProperties !== false &&
    types(data)?.includes("object")
  ) {
    add(path, "object-closed", "fields beyond the listed ones are rejected");
  }
  if (isSchema(reader.additionalProperties) && isSchema(data.additionalProperties)) {
    problems.push(
      ...readerProblems(reader.additionalProperties, data.additionalProperties, join(path, "*")),
    );
  }
  return problems;
}

/** The problems of moving a subject from `previous` to `next` under `mode`; empty: compatible. */
export function compatibilityProblems(
  previous: Schema,
  next: Schema,
  mode: CompatibilityMode,
): Incompatibility[] {
  if (mode === "NONE") return [];
  const backward = mode.startsWith("BACKWARD") || mode.startsWith("FULL");
  const forward = mode.startsWith("FORWARD") || mode.startsWith("FULL");
  return [
    ...(backward
      ? readerProblems(next, previous).map((p) => ({ ...p, direction: "BACKWARD" as const }))
      : []),
    ...(forward
      ? readerProblems(previous, next).map((p) => ({ ...p, direction: "FORWARD" as const }))
      : []),
  ];
}

/** One line per problem: `<subject>: <path>: <rule> (<mode>): <detail>`. */
export function formatIncompatibility(
  subject: string,
  mode: CompatibilityMode,
  p: Incompatibility,
): string {
  return `${subject}: ${p.path}: ${p.rule} breaks ${mode} (${p.direction === "BACKWARD" ? "the new schema cannot read data written with the previous one" : "the previous schema cannot read data written with the new one"}): ${p.detail}`;
}
