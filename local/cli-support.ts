import { parseArgs, type ParseArgsConfig } from "node:util";
import { ValidationError } from "../topics/validation-error.ts";

/** One verb of a command-line tool: its help text, options and action. */
export interface Verb {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly details?: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly allowPositionals?: boolean;
  readonly run: (
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ) => Promise<number>;
}

// `... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

export function progress(line: string): void {
  process.stdout.write(`${line}\n`);
}

function optionHelp(verb: Verb): string[] {
  return Object.entries(verb.options).map(([name, o]) => {
    const arg = o.type === "string" ? ` <${name}>` : "";
    const short = o.short ? `-${o.short}, ` : "    ";
    const def =
      o.default !== undefined && o.type === "string" ? ` (default ${String(o.default)})` : "";
    return `  ${short}--${name}${arg}${def}`;
  });
}

export function verbHelp(tool: string, verb: Verb): string {
  return [
    `Usage: ${tool} ${verb.name} ${verb.usage}`.trimEnd(),
    "",
    verb.summary,
    ...(verb.details ? ["", verb.details] : []),
    "",
    "Options:",
    ...optionHelp(verb),
    "  -h, --help",
  ].join("\n");
}

export function toolHelp(tool: string, description: string, verbs: readonly Verb[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    `Usage: ${tool} <command> [options]`,
    "",
    description,
    "",
    "Commands:",
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    "",
    `Run '${tool} <command> --help' for a command's options.`,
  ].join("\n");
}

/** Parses argv for a multi-verb tool and runs the verb; returns the exit code. */
export async function runTool(
  tool: string,
  description: string,
  verbs: readonly Verb[],
  argv: readonly string[],
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${toolHelp(tool, description, verbs)}\n`);
    return name === undefined ? 1 : 0;
  }
  const verb = verbs.find((v) => v.name === name);
  if (verb === undefined) {
    process.stderr.write(
      `${tool}: unknown command "${name}" (allowed: ${verbs.map((v) => v.name).join(", ")})\n`,
    );
    return 2;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const result = parseArgs({
      args: [...rest],
      options: { ...verb.options, help: { type: "boolean", short: "h" } },
      allowPositionals: verb.allowPositionals ?? false,
      strict: true,
    });
    parsed = {
      values: result.values,
      positionals: result.positionals,
    };
  } catch (e) {
    process.stderr.write(
      `${tool} ${verb.name}: ${(e as Error).message}\n\n${verbHelp(tool, verb)}\n`,
    );
    return 2;
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${verbHelp(tool, verb)}\n`);
    return 0;
  }
  try {
    return await verb.run(parsed.values, parsed.positionals);
  } catch (e) {
    const message = e instanceof ValidationError ? e.message : describeError(e);
    process.stderr.write(`${tool} ${verb.name}: ${message}\n`);
    return 1;
  }
}

/** An error with the distinct messages of the errors it wraps (Kafka client errors nest deeply). */
export function describeError(error: unknown): string {
  const seen = new Set<string>();
  const visit = (e: unknown, depth: number): void => {
    if (depth > 6 || typeof e !== "object" || e === null) return;
    const err = e as {
      message?: unknown;
      errors?: unknown;
      cause?: unknown;
      serverErrorMessage?: unknown;
    };
    const text = typeof err.serverErrorMessage === "string" ? err.serverErrorMessage : err.message;
    if (typeof text === "string" && text !== "") seen.add(text);
    if (Array.isArray(err.errors)) err.errors.forEach((inner) => visit(inner, depth + 1));
    visit(err.cause, depth + 1);
  };
  visit(error, 0);
  return seen.size > 0 ? [...seen].join(" <- ") : String(error);
}

export function stringOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function intOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return n;
}
