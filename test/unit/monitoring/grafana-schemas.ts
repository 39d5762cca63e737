import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * ajv validators for Grafana's JSON Schemas in ../shared/schemas/grafana (read by path, never
 * copied): the dashboard model, and the panel/query kinds this repository uses.
 */
const DIR = new URL("../../../../shared/schemas/grafana/", import.meta.url).pathname;

type SchemaFile = "dashboard" | "prometheus" | "stat" | "timeseries";

const ajv = new Ajv({ allErrors: true, strict: false });
const loaded = new Set<SchemaFile>();

function load(file: SchemaFile): void {
  if (loaded.has(file)) return;
  const schema = JSON.parse(readFileSync(`${DIR}${file}.jsonschema.json`, "utf8")) as object;
  ajv.addSchema(schema, file);
  loaded.add(file);
}

/** A validator for `definition` of `file` (the file's root `$ref` when omitted). */
export function grafanaValidator(file: SchemaFile, definition?: string): ValidateFunction {
  load(file);
  const ref = definition === undefined ? file : `${file}#/definitions/${definition}`;
  const v = ajv.getSchema(ref);
  if (!v) throw new Error(`no schema ${ref} in ${DIR}`);
  return v;
}

export function errorsOf(v: ValidateFunction, data: unknown, where: string): string[] {
  if (v(data)) return [];
  return (v.errors ?? []).map((e) => `${where}${e.instancePath}: ${e.message ?? "invalid"}`);
}
