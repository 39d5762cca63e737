/**
 * `npm run schemas -- <verb>`: the registry schemas of the catalog's topics, generated from the
 * zod sources (topics/events/, topics/schemas/value-schemas.ts), committed under
 * topics/schemas/json/ for review, checked for compatibility and registered
 * (docs/schema-registry.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { SchemaRegistryClient, SchemaRegistryError } from "../client/schema-registry.ts";
import { buildPlatformModel } from "../charts/model.ts";
import { REPO_ROOT, listStacks, loadStack } from "../infra/config/load.ts";
import { topicCatalog } from "../topics/catalog.ts";
import {
  DEFAULT_COMPATIBILITY,
  isCompatibilityMode,
  valueSubject,
  type CompatibilityMode,
} from "../topics/compatibility.ts";
import {
  compatibilityProblems,
  formatIncompatibility,
} from "../topics/schemas/compatibility-check.ts";
import { topicValueJsonSchema, type JsonSchema } from "../topics/schemas/value-schemas.ts";
import type { TopicDefinition } from "../topics/types.ts";
import { ValidationError, formatIssue } from "../topics/validation-error.ts";

const HELP = `Usage: npm run schemas -- <verb> [options]

The registry schema of every catalog topic's values (subject <topic>-value): JSON Schema
generated from the zod sources of the envelope and the payloads, committed under
topics/schemas/json/ so a change shows in review. Compatibility is BACKWARD unless the catalog
entry (compatibility) or the stack (schemaRegistry.compatibility) says otherwise.

Verbs:
  generate                  write topics/schemas/json/ from the zod sources
  check                     fail when a file there does not parse (file and line) or is
                            not what the sources generate
    --base <git-ref>        also compare with that revision's files: an incompatible change
                            fails, naming the subject, the field and the rule
    --against <url>         also compare with what the registry at <url> holds (its latest
                            version per subject of --stack), with the registry's own verdict
  register --registry <url> register every subject of --stack whose schema the registry does
                            not hold yet, and set each subject's compatibility; running it
                            again registers nothing
    --dry-run               say what would be registered, change nothing
  list                      the subjects of --stack with their compatibility

Options:
  --stack <name>    the stack whose subjects (tenants) and overrides apply (default: dev)
  --timeout <ms>    per registry request (default: 5000); an unreachable registry fails
                    within about three times this (three attempts)
  -h, --help        show this help

The registry URL is the Confluent-compatible API, such as
http://127.0.0.1:59030/apis/ccompat/v7 (npm run local -- up --registry prints it).

Exit status: 0 ok, 1 a check failed or the registry refused or was unreachable, 2 usage.`;

const SCHEMA_DIR = join(REPO_ROOT, "topics", "schemas", "json");
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const fail = (line: string): void => void process.stderr.write(`${line}\n`);

/** The file of a catalog entry's value schema: the template without its braces. */
export function schemaFileName(template: string): string {
  return `${template.replace(/[{}]/g, "")}.json`;
}

function serialise(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Where JSON.parse gives up: V8's messages carry no position, but every prefix that ends before
 * the offending character fails only with "end of input", and every longer one otherwise.
 */
function errorOffset(text: string): number {
  const endOfInput = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      return /end of JSON input|Unterminated/.test((e as Error).message);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (endOfInput(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Parses a schema file's text, or explains where it does not parse: file and line. */
export function parseSchemaFile(text: string, file: string): JsonSchema {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${file}:1: is not a JSON Schema object`);
    }
    return parsed as JsonSchema;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith(`${file}:`)) throw error;
    const line = text.slice(0, errorOffset(text)).split("\n").length;
    throw new Error(`${file}:${line}: does not parse as JSON: ${message}`, { cause: error });
  }
}

function catalogEntries(): TopicDefinition[] {
  return [...(topicCatalog as readonly TopicDefinition[])];
}

function modeOf(def: TopicDefinition): CompatibilityMode {
  return isCompatibilityMode(def.compatibility) ? def.compatibility : DEFAULT_COMPATIBILITY;
}

function generate(): number {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  let written = 0;
  for (const def of catalogEntries()) {
    const file = join(SCHEMA_DIR, schemaFileName(def.name));
    const text = serialise(topicValueJsonSchema(def));
    if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
    writeFileSync(file, text);
    written++;
    log(`wrote ${relative(REPO_ROOT, file)}`);
  }
  log(`${written} of ${catalogEntries().length} schema files changed`);
  return 0;
}

/** The committed files parse and are exactly what the zod sources generate. */
function checkFiles(): string[] {
  const problems: string[] = [];
  const expected = new Set(catalogEntries().map((d) => schemaFileName(d.name)));
  const present = existsSync(SCHEMA_DIR)
    ? readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".json"))
    : [];
  for (const f of present) {
    const rel = relative(REPO_ROOT, join(SCHEMA_DIR, f));
    try {
      parseSchemaFile(readFileSync(join(SCHEMA_DIR, f), "utf8"), rel);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (!expected.has(f)) problems.push(`${rel}: no catalog topic has this schema; delete it`);
  }
  for (const def of catalogEntries()) {
    const f = schemaFileName(def.name);
    const rel = relative(REPO_ROOT, join(SCHEMA_DIR, f));
    if (!present.includes(f)) {
      problems.push(`${rel}: missing; run npm run schemas -- generate`);
    } else if (
      !problems.some((p) => p.startsWith(`${rel}:`)) &&
      readFileSync(join(SCHEMA_DIR, f), "utf8") !== serialise(topicValueJsonSchema(def))
    ) {
      problems.push(
        `${rel}: is not what the zod sources generate; run npm run schemas -- generate and commit it`,
      );
    }
  }
  return problems;
}

function gitShow(ref: string, path: string): string | undefined {
  try {
    return execFileSync("git", ["show", `${ref}:${path}`], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch {
    return undefined;
  }
}

function checkBase(ref: string): string[] {
  try {
    execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], {
      cwd: REPO_ROOT,
      stdio: "ignore",
    });
  } catch {
    return [`--base ${ref}: not a git revision of this repository`];
  }
  const problems: string[] = [];
  for (const def of catalogEntries()) {
    const rel = relative(REPO_ROOT, join(SCHEMA_DIR, schemaFileName(def.name)));
    const before = gitShow(ref, rel);
    const subject = valueSubject(def.name);
    if (before === undefined) {
      log(`${subject}: new at this revision (nothing at ${ref})`);
      continue;
    }
    let previous: JsonSchema;
    try {
      previous = parseSchemaFile(before, `${rel}@${ref}`);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    const mode = modeOf(def);
    const found = compatibilityProblems(previous, topicValueJsonSchema(def), mode);
    problems.push(...found.map((p) => formatIncompatibility(subject, mode, p)));
    if (found.length === 0) log(`${subject}: compatible with ${ref} (${mode})`);
  }
  return problems;
}

function registryErrorLine(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function checkAgainst(registry: SchemaRegistryClient, stack: string): Promise<string[]> {
  const model = buildPlatformModel(loadStack(stack));
  const problems: string[] = [];
  for (const s of model.subjects) {
    const def = catalogEntries().find((d) => d.name === s.template);
    if (def === undefined) continue;
    const next = topicValueJsonSchema(def);
    const latest = await registry.latest(s.subject);
    if (latest === undefined) {
      log(`${s.subject}: not registered yet`);
      continue;
    }
    const verdict = await registry.checkCompatibility(s.subject, JSON.stringify(next));
    const named = compatibilityProblems(
      parseSchemaFile(latest.schema, `${registry.url} ${s.subject} v${latest.version}`),
      next,
      s.compatibility,
    ).map((p) => formatIncompatibility(s.subject, s.compatibility, p));
    if (verdict.compatible && named.length === 0) {
      log(`${s.subject}: compatible with version ${latest.version} (${s.compatibility})`);
      continue;
    }
    if (!verdict.compatible) {
      problems.push(
        ...(named.length > 0
          ? named
          : [`${s.subject}: the registry finds it incompatible (${s.compatibility})`]),
        ...verdict.messages.map((m) => `${s.subject}: registry: ${m}`),
      );
    } else {
      problems.push(
        ...named.map((n) => `${n} (the registry itself accepts it; the local check is stricter)`),
      );
    }
  }
  return problems;
}

async function register(
  registry: SchemaRegistryClient,
  stack: string,
  dryRun: boolean,
): Promise<number> {
  const model = buildPlatformModel(loadStack(stack));
  let registered = 0;
  let unchanged = 0;
  let configured = 0;
  let refused = 0;
  for (const s of model.subjects) {
    const def = catalogEntries().find((d) => d.name === s.template);
    if (def === undefined) continue;
    const schema = JSON.stringify(topicValueJsonSchema(def));
    const mode = await registry.compatibility(s.subject);
    if (mode !== s.compatibility) {
      if (!dryRun) await registry.setCompatibility(s.subject, s.compatibility);
      configured++;
      log(
        `${s.subject}: compatibility ${mode ?? "(registry default)"} -> ${s.compatibility}${dryRun ? " (dry run)" : ""}`,
      );
    }
    const found = await registry.lookup(s.subject, schema);
    if (found !== undefined) {
      unchanged++;
      continue;
    }
    if (dryRun) {
      log(`${s.subject}: would register a new version`);
      registered++;
      continue;
    }
    try {
      const id = await registry.register(s.subject, schema);
      registered++;
      log(`${s.subject}: registered (schema id ${id})`);
    } catch (error) {
      if (!(error instanceof SchemaRegistryError) || error.kind !== "incompatible") throw error;
      refused++;
      fail(`${s.subject}: the registry refused the schema: ${error.message}`);
      const latest = await registry.latest(s.subject);
      if (latest !== undefined) {
        for (const p of compatibilityProblems(
          parseSchemaFile(latest.schema, `${registry.url} ${s.subject} v${latest.version}`),
          topicValueJsonSchema(def),
          s.compatibility,
        )) {
          fail(`  ${formatIncompatibility(s.subject, s.compatibility, p)}`);
        }
      }
    }
  }
  log(
    `${model.subjects.length} subjects: ${registered} ${dryRun ? "to register" : "registered"}, ${unchanged} unchanged, ${configured} compatibility settings ${dryRun ? "to set" : "set"}${refused > 0 ? `, ${refused} refused` : ""}`,
  );
  return refused > 0 ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        base: { type: "string" },
        against: { type: "string" },
        registry: { type: "string" },
        stack: { type: "string", default: "dev" },
        timeout: { type: "string", default: "5000" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    fail(`schemas: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const verb = positionals[0];
  if (values.help || verb === undefined || verb === "help") {
    log(HELP);
    return values.help || verb === "help" ? 0 : 2;
  }
  if (!listStacks().includes(values.stack)) {
    fail(`schemas: no stack "${values.stack}" (allowed: ${listStacks().join(", ")})`);
    return 2;
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    fail(`schemas: --timeout must be a positive whole number of milliseconds`);
    return 2;
  }
  const client = (url: string): SchemaRegistryClient =>
    new SchemaRegistryClient({ url, timeoutMs, attempts: 3 });
  try {
    switch (verb) {
      case "generate":
        return generate();
      case "list": {
        const model = buildPlatformModel(loadStack(values.stack));
        for (const s of model.subjects) {
          log(`${s.subject.padEnd(44)} ${s.compatibility} (${s.compatibilitySource})`);
        }
        return 0;
      }
      case "check": {
        const problems = checkFiles();
        if (values.base !== undefined) problems.push(...checkBase(values.base));
        if (values.against !== undefined) {
          problems.push(...(await checkAgainst(client(values.against), values.stack)));
        }
        problems.forEach((p) => fail(p));
        if (problems.length === 0) log("schemas: check passed");
        return problems.length === 0 ? 0 : 1;
      }
      case "register": {
        if (values.registry === undefined) {
          fail("schemas: register needs --registry <url>");
          return 2;
        }
        const stale = checkFiles();
        if (stale.length > 0) {
          stale.forEach((p) => fail(p));
          return 1;
        }
        return await register(client(values.registry), values.stack, values["dry-run"]);
      }
      default:
        fail(
          `schemas: unknown verb "${verb}" (allowed: generate, check, register, list)\n\n${HELP}`,
        );
        return 2;
    }
  } catch (error) {
    if (error instanceof ValidationError) error.issues.map(formatIssue).forEach(fail);
    else fail(`schemas: ${registryErrorLine(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  process.exitCode = await main(process.argv.slice(2));
}
