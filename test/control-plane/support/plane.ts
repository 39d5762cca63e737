import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Admin } from "@platformatic/kafka";
import { expect, inject } from "vitest";
import { readLiveState } from "../../../local/apply/live-state.ts";
import type { LiveState, TopicState } from "../../../local/apply/types.ts";
import type { ClusterConnectionInfo } from "../../../local/cluster.ts";
import { LocalCluster } from "../../../local/cluster.ts";
import { ControlPlane } from "../../../local/control-plane/control-plane.ts";
import { readyToolchain, type Toolchain } from "../../../local/control-plane/toolchain.ts";
import { CACHE_DIR, REPO_ROOT } from "../../../local/paths.ts";

/**
 * What the control-plane project's global setup started (test/control-plane/global-setup.ts):
 * a real 3-node Kafka instance and, beside it, etcd + kube-apiserver + kube-controller-manager
 * on loopback; handed to the test files with vitest's `provide`.
 */
export interface PlaneInfo {
  readonly instance: string;
  readonly portBase: number;
  readonly kubeconfig: string;
  readonly server: string;
  readonly binDir: string;
  readonly kafka: ClusterConnectionInfo;
}

declare module "vitest" {
  export interface ProvidedContext {
    controlPlane: PlaneInfo;
  }
}

export const PLANE_INSTANCE = "cp";
export const PLANE_PORT_BASE = 49000;

export function plane(): PlaneInfo {
  return inject("controlPlane");
}

export function toolchain(): Toolchain {
  const t = readyToolchain();
  if (t === undefined) throw new Error("the toolchain is not ready (the global setup builds it)");
  return t;
}

export function controlPlane(): ControlPlane {
  const info = plane();
  return new ControlPlane({ instance: info.instance, portBase: info.portBase });
}

export function kafkaCluster(): LocalCluster {
  const info = plane();
  return new LocalCluster({ instance: info.instance, portBase: info.portBase });
}

export function kubectl(
  args: readonly string[],
  input?: string,
): { code: number; stdout: string; stderr: string } {
  return controlPlane().kubectl(toolchain(), args, input);
}

/** The released Strimzi 1.2.0 chart's CRDs, read by path (never copied into this repository). */
export const STRIMZI_CRDS = join(REPO_ROOT, "..", "shared", "strimzi-helm-chart", "crds");

/**
 * Applies every Strimzi CRD of the chart, server-side under one field manager, and waits until
 * each is Established. It takes over fields another manager holds (`--force-conflicts`): the
 * test files that need the CRDs share one API server and run in any order, and `pulumi up`
 * in local-stack applies the same CRDs under the provider's manager.
 */
export async function applyStrimziCrds(): Promise<void> {
  const applied = kubectl([
    "apply",
    "--server-side",
    "--field-manager=control-plane-tests",
    "--force-conflicts",
    "-f",
    STRIMZI_CRDS,
  ]);
  if (applied.code !== 0) throw new Error(`kubectl apply ${STRIMZI_CRDS}: ${applied.stderr}`);
  // A CRD just created has no conditions yet, and `kubectl wait` fails on that at once.
  const want = readdirSync(STRIMZI_CRDS).filter((f) => f.endsWith(".yaml")).length;
  let pending = "";
  for (let i = 0; i < 120; i++) {
    const r = kubectl([
      "get",
      "crd",
      "-l",
      "app=strimzi",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=='Established')].status}{'\\n'}{end}",
    ]);
    const lines = r.stdout.trim().split("\n").filter(Boolean);
    pending = lines.filter((l) => !l.endsWith("=True")).join(", ");
    if (r.code === 0 && lines.length >= want && pending === "") return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the Strimzi CRDs never became Established (not yet: ${pending || "missing"})`);
}

/** Like kubectl, but throws with its stderr on failure and returns parsed JSON output. */
export function kubectlJson<T>(args: readonly string[]): T {
  const r = kubectl([...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command to completion, capturing its output (never inherited: it can be long). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/**
 * A Pulumi project folder as a user has it (Pulumi.yaml and the stack files, the program and
 * node_modules), made of links to this repository plus its own copies of the stack files,
 * since `pulumi stack init` writes the passphrase provider's salt into them. A file backend and
 * a Pulumi home inside the folder keep every test's state apart and out of the user's.
 */
export class PulumiProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  /**
   * `withProgram: false` makes an empty folder, for the Automation API's inline programs: it
   * writes its own Pulumi.yaml there, which must never reach this repository's.
   */
  constructor(
    name: string,
    extraEnv: NodeJS.ProcessEnv = {},
    options: { withProgram?: boolean } = {},
  ) {
    this.dir = join(CACHE_DIR, "test-pulumi", name);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, ".state"), { recursive: true });
    for (const entry of options.withProgram === false ? [] : readdirSync(REPO_ROOT)) {
      if ([".git", ".cache", "dist"].includes(entry)) continue;
      // Pulumi writes into the project and stack files: copies, never links to the repository's.
      if (/^Pulumi(\..+)?\.yaml$/.test(entry))
        copyFileSync(join(REPO_ROOT, entry), join(this.dir, entry));
      else symlinkSync(join(REPO_ROOT, entry), join(this.dir, entry));
    }
    const t = toolchain();
    const nodeBin = join(REPO_ROOT, ".cache", "node-22.23.3", "bin");
    this.env = {
      HOME: process.env.HOME ?? "",
      PATH: `${t.binDir}:${nodeBin}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: join(this.dir, ".state", "home"),
      PULUMI_BACKEND_URL: `file://${join(this.dir, ".state", "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "kafka-platform control-plane tests",
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      ...extraEnv,
    };
    mkdirSync(join(this.dir, ".state", "backend"), { recursive: true });
  }

  /** `pulumi <args>` in the project folder, as a user types it. */
  pulumi(args: readonly string[], timeoutMs = 600_000): Promise<CommandResult> {
    return run(toolchain().tool("pulumi"), ["--non-interactive", ...args], {
      cwd: this.dir,
      env: this.env,
      timeoutMs,
    });
  }

  /** `pulumi stack init <stack>` with the passphrase provider (once per stack). */
  async initStack(stack: string): Promise<void> {
    const r = await this.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    if (r.code !== 0 && !r.stderr.includes("already exists")) {
      throw new Error(`pulumi stack init ${stack}: ${r.stderr}`);
    }
  }

  writeFile(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  exists(name: string): boolean {
    return existsSync(join(this.dir, name));
  }
}

/** The interesting end of a Pulumi run's output, for assertion messages. */
export function tail(r: CommandResult, lines = 40): string {
  return `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-lines).join("\n");
}

/** Topics, SCRAM users and ACLs of the control-plane project's Kafka, read as its admin. */
export function kafkaLiveState(admin: Admin): Promise<LiveState> {
  const cluster = kafkaCluster();
  return readLiveState(admin, {
    bootstrapServers: cluster.bootstrapServers,
    caPemPath: cluster.caPemPath,
    admin: cluster.adminCredentials,
  });
}

/** Each topic exists with the catalog's partitions, replication and every key it configures. */
export function expectTopicsAsCataloged(live: LiveState, desired: readonly TopicState[]): void {
  for (const want of desired) {
    const got = live.topics.get(want.name);
    expect(got, want.name).toBeDefined();
    expect([got!.partitions, got!.replicationFactor], want.name).toEqual([
      want.partitions,
      want.replicationFactor,
    ]);
    // Every config the catalog sets, as set (Kafka reports its defaults for the others).
    const managed = Object.fromEntries(Object.keys(want.config).map((k) => [k, got!.config[k]]));
    expect(managed, want.name).toEqual(want.config);
  }
}
