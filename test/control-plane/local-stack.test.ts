import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Admin, MessagesStreamModes, Consumer, ProduceAcks, Producer } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_ADMIN_USER } from "../../acl/services.ts";
import { buildPlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import { desiredState } from "../../local/apply/desired-state.ts";
import { aclKey, describeAcl } from "../../local/apply/types.ts";
import { StrimziOperators } from "../../local/control-plane/strimzi-operators.ts";
import { platformaticOptions } from "../../local/kafka-client-options.ts";
import {
  KafkaErrorCodes,
  errorChain,
  kafkaErrorCodes,
  rejection,
} from "../integration/support/kafka-errors.ts";
import { serviceOperations } from "../integration/support/service-operations.ts";
import {
  PulumiProject,
  controlPlane,
  expectTopicsAsCataloged,
  kafkaCluster,
  kafkaLiveState,
  kubectl,
  kubectlJson,
  plane,
  tail,
  toolchain,
} from "./support/plane.ts";

/**
 * The local stack as a user runs it: `pulumi up --stack local` from Pulumi.yaml (the real CLI,
 * the Node.js language host running the program through tsx, the real kubernetes provider)
 * against the loopback API server; Strimzi's own Topic and User Operators turning its
 * KafkaTopics and KafkaUsers into topics, SCRAM users and ACLs in the local Kafka; services
 * logging in with the passwords delivered to their namespaces; protection; destroy.
 */
const STACK = "local";
const model = buildPlatformModel(loadStack(STACK));
const namespace = model.config.kubernetes.namespace;
const INSTANCE_PRINCIPALS = new Set(["User:kafka-node"]);

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface CustomResource {
  metadata: { name: string };
  status?: { conditions?: Condition[] };
}

function ready(r: CustomResource): boolean {
  return r.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

async function waitForAllReady(
  kind: string,
  expected: number,
  timeoutMs = 240_000,
): Promise<CustomResource[]> {
  const deadline = Date.now() + timeoutMs;
  let items: CustomResource[] = [];
  while (Date.now() < deadline) {
    items = kubectlJson<{ items: CustomResource[] }>(["get", kind, "-n", namespace]).items;
    if (items.length === expected && items.every(ready)) return items;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const notReady = items
    .filter((i) => !ready(i))
    .map((i) => `${i.metadata.name}: ${JSON.stringify(i.status?.conditions ?? "no status")}`);
  throw new Error(
    `${kind}: ${items.length}/${expected} present, not Ready: ${notReady.join("; ")}`,
  );
}

function resourceCount(output: string, verb: "created" | "deleted"): number {
  const m = new RegExp(`\\+?-?\\s*(\\d+) ${verb}`).exec(output);
  return m ? Number(m[1]) : -1;
}

function decode(secret: { data: Record<string, string> }, key: string): string {
  const v = secret.data[key];
  if (v === undefined) throw new Error(`Secret has no ${key}`);
  return Buffer.from(v, "base64").toString("utf8");
}

describe("the local stack on the real control plane", () => {
  let project: PulumiProject;
  let operators: StrimziOperators;
  let admin: Admin;
  const cluster = kafkaCluster();
  const figures: string[] = [];
  /** Set once the last test's destroy has removed every resource. */
  let destroyed = false;

  beforeAll(async () => {
    project = new PulumiProject("local-stack", { KUBECONFIG: plane().kubeconfig });
    await project.initStack(STACK);
    // Deployed as production is: data-bearing resources protected (the last tests lift it).
    const protect = await project.pulumi([
      "config",
      "set",
      "kafka-platform:protectData",
      "true",
      "--stack",
      STACK,
    ]);
    expect(protect.code, tail(protect)).toBe(0);
    operators = new StrimziOperators(cluster, controlPlane());
    admin = new Admin({
      clientId: "control-plane-test",
      ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, cluster.adminCredentials),
      requestTimeout: 30_000,
    });
  });

  afterAll(async () => {
    await admin?.close().catch(() => {});
    // Leave nothing behind when a test failed half-way. After the last test's destroy there is
    // nothing left: another up would create every resource again only to destroy it.
    if (project !== undefined && !destroyed) {
      await project.pulumi([
        "config",
        "set",
        "kafka-platform:protectData",
        "false",
        "--stack",
        STACK,
      ]);
      await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
      await project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    }
    await operators?.stop();
    console.log(`[local stack] ${figures.join("; ")}`);
  });

  it("pulumi up --stack local creates every resource while Strimzi's operators start beside it", async () => {
    // As on a real cluster, the Cluster Operator's part (CA Secrets) happens while Pulumi
    // applies: the operators wait for the namespace and CRDs pulumi up creates.
    const started = operators.start(
      toolchain(),
      { namespace, clusterName: model.config.cluster.name, fullReconciliationMs: 20_000 },
      { waitForPrerequisitesMs: 300_000 },
    );
    const up = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
    await started;
    expect(up.code, tail(up)).toBe(0);
    const created = resourceCount(up.stdout, "created");
    expect(created, tail(up)).toBeGreaterThan(40);
    figures.push(`up ${up.seconds.toFixed(0)}s, ${created} resources`);
  });

  it("a second run changes nothing: its preview and its update (--expect-no-changes)", async () => {
    const again = await project.pulumi(["up", "--yes", "--expect-no-changes", "--stack", STACK]);
    expect(again.code, tail(again)).toBe(0);
    figures.push(`no-change up ${again.seconds.toFixed(0)}s`);
  });

  it("the Topic Operator makes every KafkaTopic Ready with the catalog's partitions, replicas and configs", async () => {
    const topics = await waitForAllReady("kafkatopics", model.topics.length);
    figures.push(`${topics.length} KafkaTopics Ready`);
    const live = await kafkaLiveState(admin);
    expectTopicsAsCataloged(live, desiredState(model).topics);
  });

  it("the User Operator makes every KafkaUser Ready, and Kafka's ACLs are exactly those acl/ derives", async () => {
    // One KafkaUser per service, and the platform's super user (no ACLs).
    const users = await waitForAllReady("kafkausers", model.access.length + 1);
    figures.push(`${users.length} KafkaUsers Ready`);
    const desired = desiredState(model);
    const live = await kafkaLiveState(admin);
    const liveAcls = live.acls.filter((a) => !INSTANCE_PRINCIPALS.has(a.principal));
    expect(liveAcls.map(describeAcl).sort()).toEqual(desired.acls.map(describeAcl).sort());
    expect(new Set(liveAcls.map(aclKey)).size).toBe(desired.acls.length);
    expect(live.users.filter((u) => u !== cluster.adminCredentials.username).sort()).toEqual(
      [...desired.users, PLATFORM_ADMIN_USER].sort(),
    );
    figures.push(`${liveAcls.length} ACL bindings as derived`);
  });

  it("each service logs in with the password delivered to its namespace, and can do exactly what it declared", async () => {
    const matrix: string[] = [];
    const baseline = { retries: 0, connectTimeout: 5000, requestTimeout: 15_000 } as const;
    for (const ops of serviceOperations(model)) {
      const access = model.access.find((a) => a.service === ops.service)!;
      const secret = kubectlJson<{ data: Record<string, string> }>([
        "get",
        "secret",
        `kafka-${ops.service}`,
        "-n",
        access.namespace,
      ]);
      const caFile = join(project.dir, `${ops.service}-ca.crt`);
      writeFileSync(caFile, decode(secret, "ca.crt"), { mode: 0o600 });
      const credential = {
        username: decode(secret, "username"),
        password: decode(secret, "password"),
      };
      const options = platformaticOptions(cluster.bootstrapServers, caFile, credential);
      const produce = async (topic: string): Promise<void> => {
        const producer = new Producer({
          clientId: `cp-${ops.service}`,
          ...options,
          ...baseline,
          acks: ProduceAcks.ALL,
        });
        try {
          await producer.send({
            messages: [{ topic, key: Buffer.from("k"), value: Buffer.from("v") }],
          });
        } finally {
          await producer.close().catch(() => {});
        }
      };
      let allowed = 0;
      for (const topic of ops.writes) {
        await produce(topic);
        allowed++;
      }
      let denied = 0;
      if (ops.forbiddenWrite !== undefined) {
        const error = await rejection(produce(ops.forbiddenWrite));
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.TOPIC_AUTHORIZATION_FAILED,
        );
        denied++;
      }
      if (ops.group !== undefined && ops.forbiddenRead !== undefined) {
        const consumer = new Consumer({
          clientId: `cp-${ops.service}`,
          groupId: ops.group,
          ...options,
          ...baseline,
          autocommit: false,
        });
        // The refusal comes with the first fetch, while the stream is read.
        const readOne = async (): Promise<void> => {
          const stream = await consumer.consume({
            topics: [ops.forbiddenRead!],
            mode: MessagesStreamModes.EARLIEST,
            autocommit: false,
          });
          const timer = setTimeout(() => void stream.close(), 30_000);
          try {
            for await (const message of stream) {
              void message;
              break;
            }
          } finally {
            clearTimeout(timer);
            await stream.close().catch(() => {});
          }
        };
        const error = await rejection(readOne());
        await consumer.close(true).catch(() => {});
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.TOPIC_AUTHORIZATION_FAILED,
        );
        denied++;
      }
      matrix.push(`${ops.service} ${allowed} allowed/${denied} denied`);
    }
    figures.push(`ACL matrix: ${matrix.join(", ")}`);
  });

  it("deleting a KafkaUser removes its SCRAM credential and its ACLs from Kafka", async () => {
    const victim = model.access.find((a) => a.acls.length > 0)!;
    const del = kubectl(["delete", "kafkauser", victim.username, "-n", namespace, "--wait=true"]);
    expect(del.code, del.stderr).toBe(0);
    const deadline = Date.now() + 120_000;
    let live = await kafkaLiveState(admin);
    const principal = `User:${victim.username}`;
    while (
      (live.users.includes(victim.username) || live.acls.some((a) => a.principal === principal)) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 2000));
      live = await kafkaLiveState(admin);
    }
    expect(live.users).not.toContain(victim.username);
    expect(live.acls.filter((a) => a.principal === principal)).toEqual([]);
  });

  it("with protectData on, pulumi destroy is refused and nothing is deleted", async () => {
    const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    expect(destroy.code).not.toBe(0);
    expect(`${destroy.stdout}${destroy.stderr}`).toMatch(/protected/);
    expect(kubectl(["get", "kafka", model.config.cluster.name, "-n", namespace]).code).toBe(0);
    expect(kubectl(["get", "namespace", namespace]).code).toBe(0);
  });

  it("pulumi destroy, once protection is lifted, removes every resource, topics in Kafka included", async () => {
    await project.pulumi([
      "config",
      "set",
      "kafka-platform:protectData",
      "false",
      "--stack",
      STACK,
    ]);
    const lift = await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
    expect(lift.code, tail(lift)).toBe(0);
    const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    expect(destroy.code, tail(destroy)).toBe(0);
    destroyed = true;
    figures.push(
      `destroy ${destroy.seconds.toFixed(0)}s, ${resourceCount(destroy.stdout, "deleted")} resources`,
    );
    expect(kubectl(["get", "namespace", namespace]).code).not.toBe(0);
    const live = await kafkaLiveState(admin);
    expect([...live.topics.keys()].filter((t) => model.topics.some((m) => m.name === t))).toEqual(
      [],
    );
  });
});
