import { spawn } from "node:child_process";

/**
 * The API server as a gate: every rendered object is sent to a live kube-apiserver as a
 * server-side apply with `--dry-run=server`, so its own admission (strict decoding, the CRDs'
 * OpenAPI schemas and CEL rules, built-in validation) accepts or refuses it before anything is
 * deployed. Nothing is persisted. kubectl does the talking: a real client, no hand-made one.
 */

export interface DryRunTarget {
  readonly kubectl: string;
  readonly kubeconfig: string;
  /** kubeconfig context; default its current context. */
  readonly context?: string;
}

export interface DryRunObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface DryRunOutcome {
  readonly passed: readonly string[];
  /** Refused by the API server, with its own message. */
  readonly refused: readonly { readonly ref: string; readonly message: string }[];
  /** Not sent: a prerequisite pulumi up creates first is not on the server yet. */
  readonly skipped: readonly { readonly ref: string; readonly reason: string }[];
}

/** The API server could not be reached or the kubeconfig is unusable; nothing was checked. */
export class ApiServerUnreachableError extends Error {}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function kubectl(target: DryRunTarget, args: readonly string[], input?: string): Promise<Run> {
  const full = [
    `--kubeconfig=${target.kubeconfig}`,
    ...(target.context !== undefined ? [`--context=${target.context}`] : []),
    "--request-timeout=10s",
    ...args,
  ];
  return new Promise((resolve) => {
    const child = spawn(target.kubectl, full, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => resolve({ code: 127, stdout, stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

export function objectRef(o: DryRunObject): string {
  return `${o.kind} ${o.metadata.namespace !== undefined ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** The API groups whose CRDs the stack itself installs (pulumi up applies them first). */
const STACK_INSTALLED_GROUPS = ["kafka.strimzi.io", "core.strimzi.io"];

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

/** What the server serves, as `<group>/<Kind>` (core group: ``), and which namespaces exist. */
async function discover(
  target: DryRunTarget,
): Promise<{ kinds: Set<string>; namespaces: Set<string> }> {
  const version = await kubectl(target, ["version", "-o", "json"]);
  const server = (JSON.parse(version.stdout || "{}") as { serverVersion?: unknown }).serverVersion;
  if (version.code !== 0 || server === undefined) {
    const why = version.stderr.trim().split("\n").slice(-2).join(" ") || "no answer";
    throw new ApiServerUnreachableError(
      `the API server of kubeconfig ${target.kubeconfig}${target.context !== undefined ? ` (context ${target.context})` : ""} did not answer: ${why}. ` +
        "Start the local control plane with `npm run local -- up --control-plane`, or point --kubeconfig at a reachable cluster.",
    );
  }
  const resources = await kubectl(target, ["api-resources", "-o", "wide", "--no-headers"]);
  const kinds = new Set<string>();
  for (const line of resources.stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS ...: find the NAMESPACED column.
    const at = cols.findIndex((c) => c === "true" || c === "false");
    if (at < 1) continue;
    const apiVersion = cols[at - 1] ?? "";
    kinds.add(`${groupOf(apiVersion)}/${cols[at + 1] ?? ""}`);
  }
  const ns = await kubectl(target, [
    "get",
    "namespaces",
    "-o",
    "jsonpath={.items[*].metadata.name}",
  ]);
  return { kinds, namespaces: new Set(ns.stdout.split(/\s+/).filter((n) => n !== "")) };
}

/**
 * Sends each object as a server-side dry-run apply (`concurrency` at a time). An object whose
 * namespace or whose stack-installed CRD is not on the server yet is skipped with the reason;
 * a kind the server lacks and the stack does not install is refused (a missing prerequisite).
 */
export async function serverDryRun(
  objects: readonly DryRunObject[],
  target: DryRunTarget,
  options: { concurrency?: number; fieldManager?: string } = {},
): Promise<DryRunOutcome> {
  const { kinds, namespaces } = await discover(target);
  const passed: string[] = [];
  const refused: { ref: string; message: string }[] = [];
  const skipped: { ref: string; reason: string }[] = [];
  const toSend: DryRunObject[] = [];
  for (const o of objects) {
    const ref = objectRef(o);
    const group = groupOf(o.apiVersion);
    if (!kinds.has(`${group}/${o.kind}`)) {
      if (STACK_INSTALLED_GROUPS.includes(group)) {
        skipped.push({
          ref,
          reason: `the ${group} CRDs are not installed yet (pulumi up installs them first)`,
        });
      } else {
        refused.push({
          ref,
          message: `the API server has no kind ${o.kind} (${o.apiVersion}): install its CRDs first${group === "monitoring.coreos.com" ? " (kube-prometheus-stack), or set monitoring.enabled: false" : ""}`,
        });
      }
      continue;
    }
    const ns = o.metadata.namespace;
    if (ns !== undefined && !namespaces.has(ns)) {
      skipped.push({
        ref,
        reason: `namespace ${ns} does not exist yet (pulumi up creates it first)`,
      });
      continue;
    }
    toSend.push(o);
  }
  const manager = options.fieldManager ?? "kafka-platform-dry-run";
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toSend.length) {
      const o = toSend[next++] as DryRunObject;
      const r = await kubectl(
        target,
        [
          "apply",
          "--server-side",
          "--dry-run=server",
          `--field-manager=${manager}`,
          "--force-conflicts",
          "-o",
          "name",
          "-f",
          "-",
        ],
        JSON.stringify(o),
      );
      if (r.code === 0) passed.push(objectRef(o));
      else refused.push({ ref: objectRef(o), message: r.stderr.trim() });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return { passed: passed.sort(), refused, skipped };
}
