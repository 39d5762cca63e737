import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../../infra/config/load.ts";

export interface RenderRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the render command (`scripts/render.ts` under `root`) as a child process. */
export function runRender(args: readonly string[], root: string = REPO_ROOT): Promise<RenderRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "scripts", "render.ts"), ...args],
      { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ status: code, stdout, stderr });
      },
    );
  });
}

/** Every file under `dir` (relative paths, sorted); empty when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

/**
 * The part of the repository the render command needs up to the point where the config and
 * catalog are validated, copied to a temporary root, with `edits` applied to its sources:
 * a catalog or service mistake can then be run through the real command. Each edit must
 * match exactly once, so a test fails loudly when the source it edits has changed.
 */
export function tempCodeCopy(edits: readonly { file: string; from: string; to: string }[]): string {
  const root = mkdtempSync(join(tmpdir(), "kafka-platform-code-"));
  for (const part of [
    "topics",
    "acl",
    "infra",
    "charts",
    "alerts",
    "dashboards",
    "client/metric-names.ts",
    // The render command also offers a server-side dry run against the local control plane.
    "local",
    "scripts",
    "package.json",
  ]) {
    mkdirSync(dirname(join(root, part)), { recursive: true });
    cpSync(join(REPO_ROOT, part), join(root, part), { recursive: true });
  }
  for (const f of readdirSync(REPO_ROOT).filter((n) => /^Pulumi\..+\.yaml$/.test(n))) {
    cpSync(join(REPO_ROOT, f), join(root, f));
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
  for (const edit of edits) {
    const path = join(root, edit.file);
    const text = readFileSync(path, "utf8");
    const count = text.split(edit.from).length - 1;
    if (count !== 1)
      throw new Error(
        `edit of ${edit.file}: expected one match of ${JSON.stringify(edit.from)}, found ${count}`,
      );
    writeFileSync(path, text.replace(edit.from, edit.to));
  }
  return root;
}
