import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStack } from "../../charts/stack-build.ts";
import { loadStack } from "../../infra/config/load.ts";
import { applyStrimziCrds, PulumiProject, kubectl, plane } from "./support/plane.ts";

/**
 * `pulumi up` on a new cluster reads Strimzi's cluster CA Secret (`<cluster>-cluster-ca-cert`,
 * for the services' credential Secrets) after the Kafka resource is applied. Strimzi's Cluster
 * Operator writes that Secret some time after the Kafka resource appears, and marks the resource
 * `Ready` once the cluster is up. So the rendered Kafka resource carries the provider's await
 * annotations (`pulumi.com/waitFor: condition=Ready`), and everything after it waits for the
 * cluster instead of racing the operator.
 *
 * No pod runs here (docs/control-plane.md), so no Cluster Operator: the test writes what it
 * would write (the CA Secret, then the `Ready` condition on the status subresource) and checks
 * that the real engine and kubernetes provider wait for exactly that. The program is the same
 * shape as infra/program.ts: the Kafka resource in a ConfigGroup, and the CA read gated on the
 * group's resources.
 */
type KafkaObject = { metadata: { name: string; namespace?: string; annotations?: object } };

function renderedKafka(stack: string, namespace: string): KafkaObject {
  const kafka = buildStack(loadStack(stack)).objects.find((o) => o.kind === "Kafka");
  if (kafka === undefined) throw new Error(`stack ${stack} renders no Kafka resource`);
  const copy = structuredClone(kafka) as unknown as KafkaObject;
  copy.metadata.namespace = namespace;
  return copy;
}

async function inlineStack(name: string, kafka: KafkaObject): Promise<Stack> {
  const project = new PulumiProject(
    name,
    { KUBECONFIG: plane().kubeconfig },
    { withProgram: false },
  );
  // The Automation API runs the `pulumi` found on this process's PATH.
  process.env["PATH"] = project.env["PATH"];
  process.env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = "true";
  const namespace = kafka.metadata.namespace!;
  return LocalWorkspace.createOrSelectStack(
    {
      stackName: "wait",
      projectName: name,
      program: () => {
        const provider = new k8s.Provider("local", { enableServerSideApply: true });
        const group = new k8s.yaml.v2.ConfigGroup("kafka", { objs: [kafka] }, { provider });
        const ca = k8s.core.v1.Secret.get(
          "cluster-ca-cert",
          group.resources.apply(() => `${namespace}/${kafka.metadata.name}-cluster-ca-cert`),
          { provider },
        );
        return Promise.resolve({
          caBytes: pulumi.unsecret(ca.data).apply((d) => d["ca.crt"]?.length ?? 0),
        });
      },
    },
    {
      workDir: project.dir,
      envVars: project.env as Record<string, string>,
      projectSettings: {
        name,
        runtime: "nodejs",
        backend: { url: project.env["PULUMI_BACKEND_URL"] as string },
      },
      secretsProvider: "passphrase",
    },
  );
}

/** What the Cluster Operator writes once the cluster is up: the CA Secret, then `Ready`. */
function actAsClusterOperator(namespace: string, cluster: string): void {
  const secret = kubectl(
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${cluster}-cluster-ca-cert`, namespace },
      data: { "ca.crt": Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64") },
    }),
  );
  expect(secret.code, secret.stderr).toBe(0);
  const ready = kubectl([
    "patch",
    "kafka",
    cluster,
    "-n",
    namespace,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status: { conditions: [{ type: "Ready", status: "True" }] } }),
  ]);
  expect(ready.code, ready.stderr).toBe(0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForKafkaObject(namespace: string, cluster: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (kubectl(["get", "kafka", cluster, "-n", namespace]).code === 0) return;
    await sleep(500);
  }
  throw new Error(`the Kafka resource ${namespace}/${cluster} never appeared`);
}

describe("pulumi up waits for the Kafka cluster before reading its CA", () => {
  const namespaces: string[] = [];
  beforeAll(applyStrimziCrds);
  afterAll(() => {
    for (const ns of namespaces) kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  function namespace(name: string): string {
    const r = kubectl(["create", "namespace", name]);
    expect(r.code, r.stderr).toBe(0);
    namespaces.push(name);
    return name;
  }

  it("dev: the rendered Kafka resource holds the update until the operator marks it Ready", async () => {
    const ns = namespace("ready-wait-dev");
    const kafka = renderedKafka("dev", ns);
    expect(kafka.metadata.annotations).toMatchObject({ "pulumi.com/waitFor": "condition=Ready" });
    const stack = await inlineStack("ready-wait-dev", kafka);
    let settled = false;
    const up = stack.up().finally(() => (settled = true));
    await waitForKafkaObject(ns, kafka.metadata.name);
    // The resource exists, the operator has not reported: the update must still be waiting.
    await sleep(8_000);
    expect(settled, "pulumi up finished before the cluster was Ready").toBe(false);
    actAsClusterOperator(ns, kafka.metadata.name);
    const result = await up;
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs["caBytes"]?.value).toBeGreaterThan(0);
  });

  it("local (awaitReady: false, no annotation): the same read races the operator and fails", async () => {
    const ns = namespace("ready-wait-local");
    const kafka = renderedKafka("local", ns);
    expect(kafka.metadata.annotations ?? {}).not.toHaveProperty("pulumi.com/waitFor");
    const stack = await inlineStack("ready-wait-local", kafka);
    const error = await stack.up().then(
      () => undefined,
      (e: unknown) => String(e),
    );
    expect(error, "the CA read found a Secret nobody wrote").toBeDefined();
    expect(error).toContain(`${kafka.metadata.name}-cluster-ca-cert`);
  });
});
