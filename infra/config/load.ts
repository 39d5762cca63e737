import { fileURLToPath } from "node:url";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "../../topics/validation-error.ts";
import { PROJECT, stackConfigSchema, type StackConfig } from "./schema.ts";

/** Config keys that must be Pulumi secrets (`pulumi config set --secret`), never plain values. */
export const SECRET_KEYS = ["kubeconfig", "kafkaProviderAdminPassword"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** Stacks are the `Pulumi.<stack>.yaml` files at the repository root, sorted. */
export function listStacks(root: string = REPO_ROOT): string[] {
  return readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function pathToString(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

type AnySchema = z.core.$ZodType;

/** The object schema at `path`, for listing allowed fields. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let current: AnySchema | undefined = schema;
  const unwrap = (s: AnySchema): AnySchema => {
    let x = s;
    for (;;) {
      const def = x._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
      if (
        (def.type === "optional" || def.type === "default" || def.type === "nullable") &&
        def.innerType
      )
        x = def.innerType;
      else if (def.type === "pipe" && def.in) x = def.in;
      else return x;
    }
  };
  for (const key of path) {
    if (current === undefined) return undefined;
    const def = unwrap(current)._zod.def as {
      type: string;
      shape?: Record<string, AnySchema>;
      element?: AnySchema;
      valueType?: AnySchema;
    };
    if (def.type === "object" && def.shape && typeof key === "string") current = def.shape[key];
    else if (def.type === "array" && def.element) current = def.element;
    else if (def.type === "record" && def.valueType) current = def.valueType;
    else return undefined;
  }
  return current === undefined ? undefined : unwrap(current);
}

function allowedKeys(schema: AnySchema, path: readonly PropertyKey[]): string[] | undefined {
  const at = schemaAt(schema, path);
  const def = at?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

function isMap(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Turns zod's issues into ValidationIssues that name the file, the field and the allowed values. */
export function toValidationIssues(error: z.ZodError, file: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = pathToString(issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(stackConfigSchema, issue.path);
      for (const key of issue.keys) {
        issues.push({
          file,
          path: pathToString([...issue.path, key]),
          message: "unknown field",
          ...(allowed ? { allowed } : {}),
        });
      }
    } else if (issue.code === "invalid_value") {
      issues.push({
        file,
        path,
        message: `got ${JSON.stringify(issue.input)}`,
        allowed: issue.values.map((v) => String(v)),
      });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      issues.push({ file, path, message: `is required (${issue.expected})` });
    } else if (issue.code === "invalid_type") {
      issues.push({
        file,
        path,
        message: `must be ${issue.expected}, got ${JSON.stringify(issue.input)}`,
      });
    } else {
      issues.push({
        file,
        path,
        // Cross-field checks get the whole config map as input: echo values and lists, not maps.
        message: `${issue.message}${issue.input !== undefined && !isMap(issue.input) ? ` (got ${JSON.stringify(issue.input)})` : ""}`,
      });
    }
  }
  return issues;
}

/** Validates config values (keys already without the `kafka-platform:` prefix). */
export function parseStackConfig(values: Record<string, unknown>, file: string): StackConfig {
  const result = stackConfigSchema.safeParse(values, { reportInput: true });
  if (!result.success) throw new ValidationError(toValidationIssues(result.error, file));
  return result.data;
}

export interface LoadedStack {
  readonly stack: string;
  readonly file: string;
  readonly config: StackConfig;
  /** Which secret keys the stack file sets (values are never read into memory here). */
  readonly secretsSet: readonly SecretKey[];
}

/**
 * Reads and validates `Pulumi.<stack>.yaml` as the render command and the tools see it. Every
 * problem is reported at once; secure values are only checked to be encrypted, never decoded.
 */
export function loadStack(stack: string, root: string = REPO_ROOT): LoadedStack {
  const file = stackFileName(stack);
  const full = join(root, file);
  if (!existsSync(full)) {
    throw new ValidationError([
      { file, path: "", message: "no such stack file", allowed: listStacks(root) },
    ]);
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(full, "utf8"));
  } catch (e) {
    throw new ValidationError([
      { file, path: "", message: `is not valid YAML: ${(e as Error).message.split("\n")[0]}` },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const config = (doc as { config?: unknown } | null)?.config;
  if (doc === null || typeof doc !== "object" || typeof config !== "object" || config === null) {
    throw new ValidationError([
      { file, path: "config", message: "is required: a map of kafka-platform:<key> values" },
    ]);
  }
  const values: Record<string, unknown> = {};
  const secretsSet: SecretKey[] = [];
  for (const [fullKey, value] of Object.entries(config as Record<string, unknown>)) {
    const [namespace, key, ...rest] = fullKey.split(":");
    if (namespace !== PROJECT || key === undefined || rest.length > 0) {
      issues.push({
        file,
        path: `config.${fullKey}`,
        message: `keys must be "${PROJECT}:<key>"`,
        allowed: [PROJECT],
      });
      continue;
    }
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      const secure = (value as { secure?: unknown } | null)?.secure;
      if (typeof secure !== "string") {
        issues.push({
          file,
          path: `config.${fullKey}`,
          message: "must be a Pulumi secret (pulumi config set --secret), not a plain value",
        });
      } else {
        secretsSet.push(key as SecretKey);
      }
      continue;
    }
    values[key] = value;
  }
  const result = stackConfigSchema.safeParse(values, { reportInput: true });
  if (!result.success) issues.push(...toValidationIssues(result.error, file).map(qualify));
  if (issues.length > 0 || !result.success) throw new ValidationError(issues);
  return { stack, file, config: result.data, secretsSet };
}

/** Paths as they appear in the stack file: `config.kafka-platform:cluster.brokers.replicas`. */
function qualify(issue: ValidationIssue): ValidationIssue {
  return { ...issue, path: `config.${PROJECT}:${issue.path}` };
}
