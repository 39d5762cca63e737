import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, listStacks } from "../../../infra/config/load.ts";

/**
 * Issue 14, item 7: previews cannot read production credentials (docs/decisions/0011). The
 * workflows are linted with actionlint, pinned, installed into a cache outside the clone; a
 * missing or uninstallable actionlint fails the test with the exact command, never a skip.
 */
export const ACTIONLINT_VERSION = "1.7.7";
const TOOLS = join(
  homedir(),
  ".cache",
  "kafka-platform",
  "tools",
  `actionlint-${ACTIONLINT_VERSION}`,
);
const ACTIONLINT = join(TOOLS, "actionlint");
const INSTALL = `GOBIN=${TOOLS} go install github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`;
const WORKFLOWS = join(REPO_ROOT, ".github", "workflows");

/** The pinned actionlint, installed on first use. */
function actionlint(binary: string = ACTIONLINT, go = "go"): string {
  if (existsSync(binary)) return binary;
  mkdirSync(TOOLS, { recursive: true });
  const r = spawnSync(
    go,
    ["install", `github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`],
    {
      env: { ...process.env, GOBIN: TOOLS },
      encoding: "utf8",
      timeout: 600_000,
    },
  );
  if (r.status !== 0 || !existsSync(binary)) {
    throw new Error(
      `actionlint ${ACTIONLINT_VERSION} is not installed and installing it failed; run:\n  ${INSTALL}\n${r.error?.message ?? ""}${r.stderr ?? ""}`,
    );
  }
  return binary;
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: { stack?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const workflow = (name: string): Workflow =>
  parse(readFileSync(join(WORKFLOWS, name), "utf8")) as Workflow;
const pulumiSteps = (job: Job): Step[] =>
  job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
  it("pass actionlint (pinned, from the cache outside the clone)", () => {
    const bin = actionlint();
    expect(execFileSync(bin, ["-version"], { encoding: "utf8" })).toContain(
      `v${ACTIONLINT_VERSION}`,
    );
    const r = spawnSync(bin, ["-no-color", "-oneline", ...files.map((f) => join(WORKFLOWS, f))], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("an actionlint that cannot be installed fails with the exact command, not a skip", () => {
    expect(() => actionlint("/nonexistent/actionlint", "/nonexistent/go")).toThrow(
      `run:\n  ${INSTALL}`,
    );
  });

  it("actionlint finds a broken workflow (the lint is live)", () => {
    const r = spawnSync(actionlint(), ["-no-color", "-oneline", "-"], {
      input:
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n",
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("evnt");
  });

  it("never hands a workflow a stored kubeconfig or the deploy token on pull requests", () => {
    for (const f of files) {
      const text = readFileSync(join(WORKFLOWS, f), "utf8");
      expect(text, f).not.toMatch(/secrets\.[A-Z_]*KUBECONFIG/i);
    }
    const preview = workflow("preview.yml");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(readFileSync(join(WORKFLOWS, "preview.yml"), "utf8")).not.toContain(
      "secrets.PULUMI_ACCESS_TOKEN",
    );
  });

  it("previews every stack in its own preview-<stack> environment with a read-only OIDC role", () => {
    const job = workflow("preview.yml").jobs["preview"]!;
    expect([...(job.strategy?.matrix?.stack ?? [])].sort()).toEqual(
      listStacks()
        .filter((s) => s !== "local")
        .sort(),
    );
    expect(job.environment).toBe("preview-${{ matrix.stack }}");
    expect(job.permissions?.["id-token"]).toBe("write");
    const oidc = job.steps.find((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(oidc?.with?.["role-to-assume"]).toBe("${{ vars.PREVIEW_ROLE_ARN }}");
    const [pulumi] = pulumiSteps(job);
    expect(pulumi?.with?.["command"]).toBe("preview");
    expect(pulumi?.env?.["PULUMI_ACCESS_TOKEN"]).toBe("${{ secrets.PULUMI_PREVIEW_TOKEN }}");
    // The identity is set up before Pulumi runs.
    expect(job.steps.indexOf(oidc!)).toBeLessThan(job.steps.indexOf(pulumi!));
  });

  it("runs pulumi up only from main, by hand, in the stack's protected environment", () => {
    const deploy = workflow("deploy.yml");
    expect(Object.keys(deploy.on)).toEqual(["workflow_dispatch"]);
    const job = deploy.jobs["up"]!;
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
    expect(job.environment).toBe("${{ inputs.stack }}");
    const oidc = job.steps.find((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(oidc?.with?.["role-to-assume"]).toBe("${{ vars.DEPLOY_ROLE_ARN }}");
    expect(pulumiSteps(job).map((s) => s.with?.["command"])).toEqual(["up"]);
    // No other workflow runs `up`.
    for (const f of files.filter((x) => x !== "deploy.yml")) {
      for (const j of Object.values(workflow(f).jobs)) {
        expect(
          pulumiSteps(j).map((s) => s.with?.["command"]),
          f,
        ).not.toContain("up");
      }
    }
  });
});
