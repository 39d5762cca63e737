import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { testCluster, serviceCredential } from "./support/cluster.ts";

const CHILD = fileURLToPath(new URL("./client-child.ts", import.meta.url));

/** Starts client-child.ts as a real service process with its connection in KAFKA_* env. */
export function startChild(service: string, args: readonly string[]): ChildProcess {
  const info = testCluster();
  const credential = serviceCredential(service);
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: info.bootstrapServers.join(","),
      KAFKA_USERNAME: credential.username,
      KAFKA_PASSWORD: credential.password,
      KAFKA_CA_CERT_FILE: info.caPemPath,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** Lines of a progress file (ids handled so far). */
export function progress(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

export function resetProgress(file: string): void {
  writeFileSync(file, "");
}

/** Waits until `check` holds, failing at once if the child process exits first. */
export async function waitWhileRunning(
  child: ChildProcess,
  check: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`child exited (${child.exitCode ?? child.signalCode}) before ${what}`);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
