import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStack } from "../../charts/stack-build.ts";
import { loadStack } from "../../infra/config/load.ts";
import { serverDryRun, type DryRunObject } from "../../infra/server-dry-run.ts";
import { REPO_ROOT } from "../../local/paths.ts";
import { loadStrimziCrds } from "../../infra/strimzi-release.ts";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import {
  applyStrimziCrds,
  PulumiProject,
  kubectl,
  plane,
  run,
  tail,
  toolchain,
} from "./support/plane.ts";

/**
 * The API server as a gate. The render command's server-side dry run (infra/server-dry-run.ts)
 * and `pulumi preview` (the kubernetes provider's server-side apply dry run) both hand every
 * object to the real kube-apiserver, whose admission refuses what the CRDs' CEL rules forbid:
 * here a SCRAM-SHA-512 KafkaUser with `validityDays`, which only `type: tls` may carry.
 */
const CEL_MESSAGE = "'validityDays' and 'renewalDays' can be configured only with 'type: tls'";
const NAMESPACE = "gate-test";

function badKafkaUser(): DryRunObject & Record<string, unknown> {
  const built = buildStack(loadStack("dev"));
  const user = structuredClone(built.objects.find((o) => o.kind === "KafkaUser")!) as unknown as {
    metadata: { name: string; namespace?: string };
    spec: { authentication: Record<string, unknown> };
  };
  user.metadata.namespace = NAMESPACE;
  user.spec.authentication["validityDays"] = 30;
  return user as unknown as DryRunObject & Record<string, unknown>;
}

function renderCli(args: readonly string[]): ReturnType<typeof run> {
  return run(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["scripts/render.ts", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, KP_LOCAL_INSTANCE: "no-such-instance" },
    timeoutMs: 180_000,
  });
}

describe("the API server refuses what its CRDs forbid", () => {
  beforeAll(async () => {
    // The Strimzi CRDs and a namespace for the objects (what pulumi up creates first).
    await applyStrimziCrds();
    kubectl(["create", "namespace", NAMESPACE]);
  });

  it("render's server-side dry run: the SCRAM user with validityDays is refused with the API server's message", async () => {
    const good = buildStack(loadStack("dev")).objects.filter((o) => o.kind === "KafkaUser");
    const target = { kubectl: toolchain().tool("kubectl"), kubeconfig: plane().kubeconfig };
    const outcome = await serverDryRun(
      [
        ...good.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NAMESPACE } })),
        badKafkaUser(),
      ],
      target,
    );
    expect(outcome.refused).toHaveLength(1);
    expect(outcome.refused[0]!.message).toContain(CEL_MESSAGE);
    expect(outcome.passed).toHaveLength(good.length);
    // A dry run persists nothing.
    expect(kubectl(["get", "kafkausers", "-n", NAMESPACE, "-o", "name"]).stdout.trim()).toBe("");
  });

  it("the render command runs the dry run against the given API server and prints its verdict", async () => {
    const r = await renderCli([
      "--stack",
      "staging",
      "--dry-run",
      "--kubeconfig",
      plane().kubeconfig,
    ]);
    expect(r.code, tail(r)).toBe(0);
    expect(r.stdout).toMatch(/server\s+dry run against .*: \d+ accepted/);
  });

  it("pulumi preview: the same user is refused with the API server's message", async () => {
    const project = new PulumiProject(
      "api-gate",
      { KUBECONFIG: plane().kubeconfig },
      { withProgram: false },
    );
    const user = badKafkaUser();
    // The Automation API runs the `pulumi` found on this process's PATH.
    process.env["PATH"] = project.env["PATH"];
    process.env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = "true";
    const stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: "gate",
        projectName: "api-gate",
        program: () => {
          const provider = new k8s.Provider("local", { enableServerSideApply: true });
          new k8s.yaml.v2.ConfigGroup("bad-user", { objs: [user] }, { provider });
          return Promise.resolve({});
        },
      },
      {
        workDir: project.dir,
        envVars: project.env as Record<string, string>,
        projectSettings: {
          name: "api-gate",
          runtime: "nodejs",
          backend: { url: project.env["PULUMI_BACKEND_URL"] as string },
        },
        secretsProvider: "passphrase",
      },
    );
    const error = await stack.preview().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, "preview accepted the user").toBeDefined();
    expect(String(error)).toContain(CEL_MESSAGE);
  });

  it("an API server that is down: render says which one and how to start it, and writes nothing", async () => {
    const kubeconfig = JSON.parse(kubectl(["config", "view", "--raw", "-o", "json"]).stdout) as {
      clusters: { cluster: { server: string } }[];
    };
    kubeconfig.clusters[0]!.cluster.server = "https://127.0.0.1:1";
    const project = new PulumiProject("api-gate-down");
    const path = project.writeFile("down.kubeconfig", JSON.stringify(kubeconfig));
    const started = Date.now();
    const r = await renderCli(["--stack", "dev", "--dry-run", "--kubeconfig", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the API server of kubeconfig ${path}`);
    expect(r.stderr).toContain("npm run local -- up --control-plane");
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("a wrong kubeconfig (no such file): render names it", async () => {
    const r = await renderCli([
      "--stack",
      "dev",
      "--dry-run",
      "--kubeconfig",
      "/nonexistent/kubeconfig",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/nonexistent/kubeconfig");
  });

  it("--server-dry-run on without any API server stops before writing anything", async () => {
    const r = await renderCli(["--stack", "dev", "--dry-run", "--server-dry-run", "on"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no control plane is up for instance "no-such-instance"');
  });
});

describe("the API server and the pinned CRDs", () => {
  type Crd = {
    spec: {
      versions: {
        schema: {
          openAPIV3Schema: { properties: { status: { properties: Record<string, object> } } };
        };
      }[];
    };
  };
  const clusterSecurity = (crd: Crd): object =>
    crd.spec.versions[0]!.schema.openAPIV3Schema.properties.status.properties["clusterSecurity"]!;

  it("stores the Kafka CRD without the empty properties map, as the program now applies it", () => {
    // Applied as released in this file's first beforeAll; read back as stored.
    const stored = JSON.parse(
      kubectl(["get", "crd", "kafkas.kafka.strimzi.io", "-o", "json"]).stdout,
    ) as Crd;
    const released = parse(
      readFileSync(
        join(REPO_ROOT, "..", "shared", "strimzi-helm-chart", "crds", "040-Crd-kafka.yaml"),
        "utf8",
      ),
    ) as Crd;
    const applied = loadStrimziCrds().find(
      (c) => c.metadata.name === "kafkas.kafka.strimzi.io",
    ) as unknown as Crd;
    expect(clusterSecurity(released)).toHaveProperty("properties", {});
    expect(clusterSecurity(stored)).not.toHaveProperty("properties");
    // What the program applies is what the server keeps: no diff on the next preview.
    expect(clusterSecurity(applied)).toEqual(clusterSecurity(stored));
  });
});
