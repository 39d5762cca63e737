import { beforeAll, describe, expect, it } from "vitest";
import { buildStack } from "../../charts/stack-build.ts";
import { loadStack } from "../../infra/config/load.ts";
import { serverDryRun } from "../../infra/server-dry-run.ts";
import { kubectl, plane, toolchain } from "./support/plane.ts";

/**
 * The Schema Registry's workload objects (Deployment, Service, PodDisruptionBudget,
 * NetworkPolicy, PodMonitor) of every environment's stack, handed to the real kube-apiserver
 * as a server-side dry run: its built-in schemas and the prometheus-operator CRDs accept them.
 */
describe("the Schema Registry's objects on the API server", () => {
  beforeAll(() => {
    // What pulumi up creates first (ServicePasswords): the registry's namespace.
    kubectl(["create", "namespace", "schema-registry"]);
  });

  it.each(["dev", "staging", "prod-us-east-1"])(
    "%s: every registry object passes the server-side dry run",
    async (stack) => {
      const chart = buildStack(loadStack(stack)).charts.find((c) => c.name === "schema-registry");
      expect(chart?.objects.map((o) => o.kind).sort()).toEqual([
        "Deployment",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PodMonitor",
        "Service",
      ]);
      const outcome = await serverDryRun(chart!.objects, {
        kubectl: toolchain().tool("kubectl"),
        kubeconfig: plane().kubeconfig,
      });
      expect(outcome.refused).toEqual([]);
      expect(outcome.skipped).toEqual([]);
      expect(outcome.passed).toHaveLength(5);
    },
  );
});
