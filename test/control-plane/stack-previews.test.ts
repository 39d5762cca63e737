import { beforeAll, describe, expect, it } from "vitest";
import { listStacks, loadStack } from "../../infra/config/load.ts";
import { PulumiProject, controlPlane, tail } from "./support/plane.ts";

/**
 * `pulumi preview --stack <name>` of each real stack, exactly as a user types it from
 * Pulumi.yaml, against the loopback API server standing in for that stack's cluster: the
 * kubeconfig names each stack's own context and points it at the local control plane. The
 * kubernetes provider sends every object to the API server as a server-side dry run.
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

  it.each(REAL_STACKS)(
    "pulumi preview --stack %s succeeds and plans every object",
    async (stack) => {
      const preview = await project.pulumi(["preview", "--stack", stack]);
      expect(preview.code, tail(preview)).toBe(0);
      const m = /\+\s*(\d+) to create/.exec(preview.stdout);
      expect(m, tail(preview)).not.toBeNull();
      results.push(`${stack}: ${m![1]} to create in ${preview.seconds.toFixed(0)}s`);
      console.log(`[preview] ${results.at(-1)}`);
    },
  );
});
