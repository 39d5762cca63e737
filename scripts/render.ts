/**
 * The render command: `npm run render -- --stack <name>`. Loads and validates a stack's config
 * and the catalog, renders every chart, validates every object against the real CRDs, shows
 * what changed against what is already in dist/<stack>/, then writes one YAML file per chart.
 * Bad input stops it before anything is written, with every problem listed.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, listStacks, loadStack } from "../infra/config/load.ts";
import { ValidationError, formatIssue } from "../topics/validation-error.ts";
import { ControlPlane } from "../local/control-plane/control-plane.ts";
import { readyToolchain } from "../local/control-plane/toolchain.ts";
import { DEFAULT_DEV_INSTANCE, DEFAULT_DEV_PORT_BASE } from "../local/instance-defaults.ts";

const HELP = `Usage: npm run render -- [--stack <name>] [--out <dir>] [--dry-run] [--server-dry-run auto|on|off]

Renders a stack's Kubernetes manifests (Strimzi Kafka, node pools, topics, users, monitoring)
from Pulumi.<stack>.yaml and the catalog, validates every object against the CRDs in
../shared/schemas, prints what changed against <out>/<stack>/, and writes one YAML file per
chart to <out>/<stack>/<chart>.yaml. Nothing is written when anything is invalid, or when a
topic change that can lose data (see topics/locks/<stack>.json) is not acknowledged in
topics/acknowledgements.ts. The same checks run in \`pulumi up\` (charts/stack-build.ts).

Where an API server is reachable, every object is also sent to it as a server-side dry run
(kubectl apply --server-side --dry-run=server), and anything it refuses stops the render with
the API server's own message. By default (auto) that is the local control plane
(npm run local -- up --control-plane) when it is up, or the --kubeconfig given.

Options:
  --stack <name>      stack to render (default: dev); one of the Pulumi.<name>.yaml files
  --out <dir>         output directory (default: dist, relative to the repository root)
  --dry-run           render, validate and show the plan and diff; write nothing
  --diff-context <n>  lines of context around changed lines in the diff (default: 2)
  --root <dir>        repository root holding the stack files (default: this repository)
  --server-dry-run <mode>
                      auto (default): when a control plane is up or --kubeconfig is given;
                      on: required (fails when no API server answers); off: never
  --kubeconfig <file> the API server for the dry run (default: the local control plane of
                      instance $KP_LOCAL_INSTANCE, else dev)
  --context <name>    kubeconfig context for the dry run (default: its current context)
  -h, --help          show this help

Exit status: 0 on success, 1 when the config, catalog or rendered objects are invalid,
2 on a usage error.`;

type ServerDryRunMode = "auto" | "on" | "off";

interface Options {
  readonly serverDryRun: ServerDryRunMode;
  readonly kubeconfig: string | undefined;
  readonly kubeContext: string | undefined;
  readonly stack: string;
  readonly out: string;
  readonly root: string;
  readonly dryRun: boolean;
  readonly context: number;
}

class UsageError extends Error {}

function parseOptions(argv: readonly string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "dev" },
        out: { type: "string", default: "dist" },
        root: { type: "string", default: REPO_ROOT },
        "dry-run": { type: "boolean", default: false },
        "diff-context": { type: "string", default: "2" },
        "server-dry-run": { type: "string", default: "auto" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const context = Number(v["diff-context"]);
  if (!Number.isInteger(context) || context < 0) {
    throw new UsageError(`--diff-context must be a whole number, got ${v["diff-context"]}`);
  }
  const mode = v["server-dry-run"];
  if (mode !== "auto" && mode !== "on" && mode !== "off") {
    throw new UsageError(`--server-dry-run must be one of auto, on, off; got ${mode}`);
  }
  const root = resolve(v.root);
  return {
    serverDryRun: mode,
    kubeconfig: v.kubeconfig,
    kubeContext: v.context,
    stack: v.stack,
    root,
    out: isAbsolute(v.out) ? v.out : join(root, v.out),
    dryRun: v["dry-run"],
    context,
  };
}

const log = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `    ${a.padEnd(width)}  ${b}`);
}

async function render(options: Options): Promise<void> {
  const started = Date.now();
  const { stack, root } = options;
  log(`render ${stack}`);

  // 1. Config, catalog and the model built from them: fast, and every problem at once, before
  // any chart (cdk8s and the generated Strimzi types) is loaded. buildStack builds it again.
  const loaded = loadStack(stack, root);
  const { buildPlatformModel } = await import("../charts/model.ts");
  buildPlatformModel(loaded);
  // 2. The one checked path pulumi up also takes: lock, charts, CRD schemas, secret guard.
  const { buildStack, StackCheckError } = await import("../charts/stack-build.ts");
  let built;
  try {
    built = buildStack(loaded);
  } catch (e) {
    if (e instanceof StackCheckError) throw new RenderError(e.message);
    throw e;
  }
  const { model, charts, objects, lock } = built;
  log(
    `  config   ${loaded.file}: ${model.config.environment} ${model.config.region}, ` +
      `namespace ${model.config.kubernetes.namespace}, cluster ${model.config.cluster.name}`,
  );
  log(
    `  catalog  ${model.topics.length} topics, ${model.access.length} services, ` +
      `tenants ${model.config.tenants.join(", ")}`,
  );

  for (const c of lock.acknowledged) {
    log(
      `  ack      ${c.topic}: ${c.kind} (${c.detail}), acknowledged in topics/acknowledgements.ts`,
    );
  }
  if (lock.stale) {
    log(
      `  lock     topics/locks/${stack}.json is out of date; after review run npm run catalog:lock -- --stack ${stack}`,
    );
  }

  const { chartYaml, parseChartYaml } = await import("../charts/manifest-yaml.ts");
  const { diffManifests } = await import("../charts/manifest-diff.ts");
  const { SCHEMAS_DIR } = await import("../charts/crd-schema-validator.ts");
  log(
    `  rendered ${charts.length} charts, ${objects.length} objects; all valid against the CRDs in ${relative(root, SCHEMAS_DIR) || SCHEMAS_DIR}`,
  );
  const kinds = new Map<string, number>();
  for (const o of objects)
    kinds.set(`${o.kind} (${o.apiVersion})`, (kinds.get(`${o.kind} (${o.apiVersion})`) ?? 0) + 1);
  table(
    [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k, String(n)]),
  ).forEach((l) => log(l));

  await serverDryRunGate(options, objects);

  // 3. Diff against what is already rendered.
  const dir = join(options.out, stack);
  const rel = relative(process.cwd(), dir);
  const shown = rel === "" ? "." : rel.startsWith("..") ? dir : rel;
  const files = new Map<string, string>(charts.map((c) => [`${c.name}.yaml`, chartYaml(stack, c)]));
  const existing = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
    : [];
  const before = existing.flatMap((f) => parseChartYaml(readFileSync(join(dir, f), "utf8")));
  const diff = diffManifests(before, objects, options.context);
  if (existing.length === 0) {
    log(`  diff     ${shown} is empty: all ${objects.length} objects are new`);
  } else {
    log(
      `  diff     against ${shown}: ${diff.added.length} added, ${diff.changed.length} changed, ` +
        `${diff.removed.length} removed, ${diff.unchanged} unchanged`,
    );
    diff.added.forEach((k) => log(`    + ${k}`));
    diff.removed.forEach((k) =>
      log(`    - ${k}${DATA_BEARING.test(k) ? "  (! deletes data when applied)" : ""}`),
    );
    for (const change of diff.changed) {
      log(`    ~ ${change.key}`);
      change.lines.forEach((l) => log(`        ${l}`));
    }
  }
  const stale = existing.filter((f) => !files.has(f));

  // 4. Write (or not).
  if (options.dryRun) {
    log(
      `  dry run: nothing written (would write ${files.size} files to ${shown}${stale.length > 0 ? `, remove ${stale.join(", ")}` : ""})`,
    );
    return;
  }
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
  for (const file of stale) rmSync(join(dir, file));
  log(
    `  wrote    ${[...files.keys()].map((f) => join(shown, f)).join(", ")}` +
      (stale.length > 0 ? `; removed ${stale.join(", ")}` : ""),
  );
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

class RenderError extends Error {}

/** Which API server the dry run uses, or why there is none. */
function dryRunTarget(
  options: Options,
): { kubectl: string; kubeconfig: string; context?: string } | string {
  const kubectl = readyToolchain()?.tool("kubectl") ?? "kubectl";
  if (options.kubeconfig !== undefined) {
    return {
      kubectl,
      kubeconfig: resolve(options.kubeconfig),
      ...(options.kubeContext !== undefined ? { context: options.kubeContext } : {}),
    };
  }
  const instance = process.env.KP_LOCAL_INSTANCE ?? DEFAULT_DEV_INSTANCE;
  const plane = new ControlPlane({
    instance,
    portBase: Number(process.env.KP_LOCAL_PORT_BASE ?? DEFAULT_DEV_PORT_BASE),
  });
  if (!plane.isRunning()) {
    return `no control plane is up for instance "${instance}" (npm run local -- up --control-plane), and no --kubeconfig was given`;
  }
  return { kubectl, kubeconfig: plane.kubeconfigPath };
}

async function serverDryRunGate(
  options: Options,
  objects: readonly { apiVersion: string; kind: string; metadata: { name: string } }[],
): Promise<void> {
  if (options.serverDryRun === "off") {
    log("  server   dry run off (--server-dry-run off)");
    return;
  }
  const target = dryRunTarget(options);
  if (typeof target === "string") {
    if (options.serverDryRun === "on") {
      throw new RenderError(`--server-dry-run on, but ${target} (nothing written)`);
    }
    log(`  server   dry run skipped: ${target}`);
    return;
  }
  const { serverDryRun, ApiServerUnreachableError } = await import("../infra/server-dry-run.ts");
  let outcome;
  try {
    outcome = await serverDryRun(objects, target);
  } catch (e) {
    if (e instanceof ApiServerUnreachableError)
      throw new RenderError(`${e.message} (nothing written)`);
    throw e;
  }
  if (outcome.refused.length > 0) {
    const n = outcome.refused.length;
    throw new RenderError(
      `the API server refused ${n} object${n === 1 ? "" : "s"} in a server-side dry run (nothing written):\n` +
        outcome.refused.map((r) => `  - ${r.ref}: ${r.message}`).join("\n"),
    );
  }
  log(
    `  server   dry run against ${target.kubeconfig}: ${outcome.passed.length} accepted, ${outcome.skipped.length} not sent yet`,
  );
  const reasons = new Map<string, number>();
  for (const s of outcome.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  for (const [reason, n] of reasons) log(`    ${n} not sent: ${reason}`);
}

/** Kinds whose removal deletes stored messages (topics, or the cluster and its volumes). */
const DATA_BEARING = /^(Kafka|KafkaNodePool|KafkaTopic) /;

async function main(): Promise<number> {
  let options: Options | "help";
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`render: ${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (options === "help") {
    log(HELP);
    return 0;
  }
  if (!listStacks(options.root).includes(options.stack)) {
    process.stderr.write(
      `render: no stack "${options.stack}": there is no ${join(options.root, `Pulumi.${options.stack}.yaml`)} (allowed: ${listStacks(options.root).join(", ")})\n`,
    );
    return 1;
  }
  try {
    await render(options);
    return 0;
  } catch (e) {
    if (e instanceof ValidationError) {
      process.stderr.write(
        `render: ${options.stack}: ${e.issues.length} validation error${e.issues.length === 1 ? "" : "s"} (nothing written):\n` +
          e.issues.map((i) => `  - ${formatIssue(i)}`).join("\n") +
          "\n",
      );
      return 1;
    }
    if (e instanceof RenderError) {
      process.stderr.write(`render: ${options.stack}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// `npm run render | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main();
