import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import { Admin } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../charts/model.ts";
import { loadStack, parseStackConfig } from "../../infra/config/load.ts";
import { definePlatform } from "../../infra/program.ts";
import type { StackSettings } from "../../infra/stack-settings.ts";
import { desiredState } from "../../local/apply/desired-state.ts";
import { readLiveState } from "../../local/apply/live-state.ts";
import { describeAcl } from "../../local/apply/types.ts";
import { StrimziOperators } from "../../local/control-plane/strimzi-operators.ts";
import { platformaticOptions } from "../../local/kafka-client-options.ts";
import {
  PulumiProject,
  controlPlane,
  expectTopicsAsCataloged,
  kafkaCluster,
  plane,
} from "./support/plane.ts";

/**
 * `topicManagement: kafka-provider` for real: the same program (definePlatform) through the
 * Automation API with an inline program, the real @pulumi/kafka provider creating topics, ACLs
 * and SCRAM credentials in the local Kafka over SASL_SSL, and the kubernetes provider writing
 * the credential Secrets into the local API server; then a second run with no changes.
 */
const local = loadStack("local");
const cluster = kafkaCluster();
const INSTANCE_PRINCIPALS = new Set(["User:kafka-node"]);

describe("the @pulumi/kafka path against the local cluster", () => {
  let stack: Stack;
  let admin: Admin;
  const target = () => ({
    bootstrapServers: cluster.bootstrapServers,
    caPemPath: cluster.caPemPath,
    admin: cluster.adminCredentials,
  });
  const values = {
    ...JSON.parse(JSON.stringify(local.config)),
    topicManagement: "kafka-provider",
    kafkaProvider: {
      bootstrapServers: cluster.bootstrapServers,
      tlsEnabled: true,
      adminUsername: cluster.adminCredentials.username,
      caCertFile: cluster.caPemPath,
    },
  } as Record<string, unknown>;
  const config = parseStackConfig(values, "Pulumi.local.yaml");
  const model = buildPlatformModel({ stack: "local", file: "Pulumi.local.yaml", config });

  beforeAll(async () => {
    // Strimzi's User Operator would delete users and ACLs that have no KafkaUser.
    await new StrimziOperators(cluster, controlPlane()).stop();
    const project = new PulumiProject(
      "kafka-provider",
      { KUBECONFIG: plane().kubeconfig },
      { withProgram: false },
    );
    process.env["PATH"] = project.env["PATH"];
    process.env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = "true";
    stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: "local",
        projectName: "kafka-platform",
        program: () => {
          const settings: StackSettings = {
            stack: "local",
            file: "Pulumi.local.yaml",
            config,
            secrets: {
              kafkaProviderAdminPassword: pulumi.secret(cluster.adminCredentials.password),
            },
          };
          const out = definePlatform(settings);
          return Promise.resolve({ credentialSecrets: out.credentialSecrets });
        },
      },
      {
        workDir: project.dir,
        envVars: project.env as Record<string, string>,
        projectSettings: {
          name: "kafka-platform",
          runtime: "nodejs",
          backend: { url: project.env["PULUMI_BACKEND_URL"] as string },
        },
        secretsProvider: "passphrase",
      },
    );
    admin = new Admin({
      clientId: "kafka-provider-test",
      ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, cluster.adminCredentials),
      requestTimeout: 30_000,
    });
  });

  afterAll(async () => {
    await stack?.destroy().catch((e: unknown) => console.log(`destroy failed: ${String(e)}`));
    await admin?.close().catch(() => {});
  });

  it("pulumi up creates the catalog's topics, SCRAM users and exactly the derived ACLs", async () => {
    const t0 = Date.now();
    const up = await stack.up();
    const created = up.summary.resourceChanges?.["create"] ?? 0;
    console.log(
      `[kafka-provider] up ${((Date.now() - t0) / 1000).toFixed(0)}s, ${created} resources`,
    );
    expect(up.summary.result).toBe("succeeded");
    const desired = desiredState(model);
    const live = await readLiveState(admin, target());
    expectTopicsAsCataloged(live, desired.topics);
    const acls = live.acls.filter((a) => !INSTANCE_PRINCIPALS.has(a.principal));
    expect(acls.map(describeAcl).sort()).toEqual(desired.acls.map(describeAcl).sort());
    expect(live.users.filter((u) => u !== cluster.adminCredentials.username).sort()).toEqual(
      [...desired.users].sort(),
    );
  });

  it("a second run changes nothing", async () => {
    const preview = await stack.preview({ expectNoChanges: true });
    expect(preview.changeSummary["create"] ?? 0).toBe(0);
    const again = await stack.up({ expectNoChanges: true });
    expect(again.summary.result).toBe("succeeded");
  });

  it("destroy removes the topics, users and ACLs it created", async () => {
    const down = await stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    const live = await readLiveState(admin, target());
    expect([...live.topics.keys()].filter((t) => model.topics.some((m) => m.name === t))).toEqual(
      [],
    );
    expect(live.acls.filter((a) => !INSTANCE_PRINCIPALS.has(a.principal))).toEqual([]);
  });
});
