import { beforeAll, describe, expect, it } from "vitest";
import { listStacks, loadStack } from "../../infra/config/load.ts";
import { PulumiProject, controlPlane, tail } from "./support/plane.ts";

/**
 * `pulumi preview --stack <name>` of each real stack, exactly as a user types it from
 * Pulumi.yaml, against the loopback API server standing in for that stack's cluster: the
 * kubeconfig names each stack's own context and points it at the local control plane. The
 * kubernetes provider sends every object to the API server as a server-side dry run. The real
 * stacks pull the operator's chart from its OCI registry, which is out of reach here: that is
 * the one error a plain preview shows, and with the chart read by path every object previews.
 */
const REAL_STACKS = listStacks().filter((s) => s !== "local");

describe("previews of the real stacks against the local API server", () => {
  let project: PulumiProject;
  const results: string[] = [];

  beforeAll(async () => {
    const contexts = REAL_STACKS.map((s) => loadStack(s).config.kubernetes.context);
    project = new PulumiProject("stack-previews");
    const kubeconfig = project.writeFile(
      "kubeconfig.json",
      controlPlane().kubeconfigWithContexts(contexts),
    );
    project.env["KUBECONFIG"] = kubeconfig;
    for (const stack of REAL_STACKS) await project.initStack(stack);
  });

  it("covers the four real stacks", () => {
    expect(REAL_STACKS.sort()).toEqual(["dev", "prod-eu-west-1", "prod-us-east-1", "staging"]);
  });

  /** Resources with an error in a run's Diagnostics section, as `type (name)`. */
  function erroring(output: string): string[] {
    const blocks = output.split("\nDiagnostics:\n")[1] ?? "";
    const out: string[] = [];
    for (const m of blocks.matchAll(/^ {2}(\S+) \(([^)]+)\):\n((?: {4}.*\n?)+)/gm)) {
      if ((m[3] ?? "").includes("error:")) out.push(`${m[1]} (${m[2]})`);
    }
    return out;
  }

  it.each(REAL_STACKS)(
    "pulumi preview --stack %s: everything previews but the operator chart's registry, out of reach here",
    async (stack) => {
      // Exactly as a user types it: the one error is the OCI chart pull (no network here).
      const raw = await project.pulumi(["preview", "--stack", stack]);
      expect(raw.code, tail(raw)).not.toBe(0);
      expect(raw.stdout).toContain('failed to perform "FetchReference"');
      expect(erroring(raw.stdout), tail(raw)).toEqual([
        "kubernetes:helm.sh/v3:Release (strimzi-cluster-operator)",
      ]);
      // The same stack with the released chart read by path, as the local stack reads it.
      const set = await project.pulumi([
        "config",
        "set",
        "--path",
        "kafka-platform:operator.chart",
        "../shared/strimzi-helm-chart",
        "--stack",
        stack,
      ]);
      expect(set.code, tail(set)).toBe(0);
      const preview = await project.pulumi(["preview", "--stack", stack]);
      expect(preview.code, tail(preview)).toBe(0);
      const m = /\+\s*(\d+) to create/.exec(preview.stdout);
      expect(m, tail(preview)).not.toBeNull();
      results.push(`${stack}: ${m![1]} to create in ${preview.seconds.toFixed(0)}s`);
      console.log(`[preview] ${results.at(-1)}`);
    },
  );
});
