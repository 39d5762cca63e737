import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";

/**
 * Starts and stops the cluster's JVMs. Every process is tracked by the pid it got at spawn
 * time and stopped by that pid; before signalling, the pid is checked to still run the
 * command line we started (its config path), so a reused pid is never hit. Nothing is ever
 * stopped by name.
 */

export interface SpawnedProcess {
  readonly pid: number;
}

/**
 * Starts `command args` (java by default) detached, stdout+stderr appended to `logFile`.
 * Survives the caller exiting.
 */
export function spawnDetached(
  args: readonly string[],
  logFile: string,
  cwd: string,
  command = "java",
  env: NodeJS.ProcessEnv = process.env,
): SpawnedProcess {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], cwd, env });
    if (child.pid === undefined) throw new Error(`could not start ${command} (see ${logFile})`);
    child.unref();
    return { pid: child.pid };
  } finally {
    closeSync(fd);
  }
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live (not zombie) process whose command line contains `marker`. */
export function isOurProcess(pid: number, marker: string): boolean {
  const state = procState(pid);
  if (state === undefined || state === "Z" || state === "X") return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  const state = procState(pid);
  return state !== undefined && state !== "Z" && state !== "X";
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the given processes by pid: SIGTERM (Kafka's controlled shutdown), then SIGKILL for
 * any still running after `graceMs`. Resolves once every one has exited.
 */
export async function stopProcesses(
  targets: readonly { pid: number; marker: string }[],
  graceMs: number,
): Promise<{ killed: number[] }> {
  const ours = targets.filter((t) => isOurProcess(t.pid, t.marker));
  for (const t of ours) {
    try {
      process.kill(t.pid, "SIGTERM");
    } catch {
      /* exited meanwhile */
    }
  }
  const deadline = Date.now() + graceMs;
  while (ours.some((t) => isAlive(t.pid)) && Date.now() < deadline) await sleep(100);
  const killed: number[] = [];
  for (const t of ours.filter((x) => isAlive(x.pid))) {
    try {
      process.kill(t.pid, "SIGKILL");
      killed.push(t.pid);
    } catch {
      /* exited meanwhile */
    }
  }
  const hardDeadline = Date.now() + 10_000;
  while (ours.some((t) => isAlive(t.pid)) && Date.now() < hardDeadline) await sleep(50);
  const left = ours.filter((t) => isAlive(t.pid));
  if (left.length > 0)
    throw new Error(`processes did not exit: ${left.map((t) => t.pid).join(", ")}`);
  return { killed };
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}
