import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

/**
 * The control-plane toolchain as scripts/toolchain.sh provides it: a folder of links
 * (`bin-<key>/`) to etcd, kube-apiserver, kube-controller-manager, kubectl, the Pulumi CLI with
 * its Node.js language host and resource providers, the Strimzi operator jars and a JDK 21+.
 * The key is a hash of scripts/toolchain/versions.env, so a version bump gets a new folder.
 */

export const TOOLCHAIN_SCRIPT = join(REPO_ROOT, "scripts", "toolchain.sh");
export const VERSIONS_FILE = join(REPO_ROOT, "scripts", "toolchain", "versions.env");

export type ToolchainVersions = Readonly<Record<string, string>>;

/** KEY=VALUE lines of versions.env (comments and blank lines skipped). */
export function parseVersions(text: string): ToolchainVersions {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

export function toolchainVersions(): ToolchainVersions {
  return parseVersions(readFileSync(VERSIONS_FILE, "utf8"));
}

/** A version from versions.env; throws naming the file when it is missing. */
export function pinnedVersion(key: string): string {
  const v = toolchainVersions()[key];
  if (v === undefined) throw new Error(`${VERSIONS_FILE} has no ${key}`);
  return v;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.KAFKA_PLATFORM_CACHE ?? join(homedir(), ".cache", "kafka-platform");
}

export function toolchainBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash("sha256").update(readFileSync(VERSIONS_FILE)).digest("hex").slice(0, 12);
  return join(cacheRoot(env), "toolchain", `bin-${key}`);
}

export const TOOLS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-random",
  "pulumi-resource-kafka",
  "pulumi-resource-kubernetes",
] as const;
export type Tool = (typeof TOOLS)[number];

/** Where each piece lives once the toolchain is ready. */
export interface Toolchain {
  readonly binDir: string;
  tool(name: Tool): string;
  /** Folder of the Strimzi Topic and User Operator jars (classpath `<dir>/*`). */
  readonly strimziLib: string;
  /** JAVA_HOME of a JDK 21 or newer. */
  readonly jdkHome: string;
  /** PATH with the toolchain first: Pulumi finds its language host and providers there. */
  readonly path: string;
}

export class ToolchainMissingError extends Error {}

function fromBinDir(binDir: string): Toolchain {
  const link = (name: string): string => readlinkSync(join(binDir, name));
  return {
    binDir,
    tool: (name) => join(binDir, name),
    strimziLib: link("strimzi-lib"),
    jdkHome: link("jdk"),
    path: `${binDir}:${process.env.PATH ?? ""}`,
  };
}

/** The toolchain if every link is in place and resolves; no build, no subprocess. */
export function readyToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain | undefined {
  const binDir = toolchainBinDir(env);
  const all = [...TOOLS, "strimzi-lib", "jdk"];
  if (!all.every((t) => existsSync(join(binDir, t)))) return undefined;
  return fromBinDir(binDir);
}

/**
 * Returns the ready toolchain, running scripts/toolchain.sh first when anything is missing:
 * with `build: false` only its `--check` (seconds), which throws a ToolchainMissingError that
 * lists what is missing and the command that builds it; with `build: true` the full step (about
 * 45 minutes cold on 2 cores), its progress lines passed to `log`.
 */
export async function ensureToolchain(options: {
  build: boolean;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}): Promise<Toolchain> {
  const env = options.env ?? process.env;
  if (!options.build) {
    const check = spawnSync("bash", [TOOLCHAIN_SCRIPT, "--check"], { env, encoding: "utf8" });
    if (check.status !== 0) {
      throw new ToolchainMissingError(
        `the control-plane toolchain is not ready:\n${check.stderr.trimEnd()}\n` +
          `build it with: bash scripts/toolchain.sh   (about 45 minutes the first time on 2 cores; cached after)`,
      );
    }
  }
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("bash", [TOOLCHAIN_SCRIPT], { env, stdio: ["ignore", "ignore", "pipe"] });
    let buffered = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      lines.forEach((l) => options.log(l));
    });
    child.on("error", reject);
    child.on("close", (c) => {
      if (buffered) options.log(buffered);
      resolve(c ?? 1);
    });
  });
  if (code !== 0) throw new ToolchainMissingError(`scripts/toolchain.sh failed (exit ${code})`);
  const ready = readyToolchain(env);
  if (ready === undefined) {
    throw new ToolchainMissingError(
      `scripts/toolchain.sh finished but ${toolchainBinDir(env)} is incomplete`,
    );
  }
  return ready;
}
