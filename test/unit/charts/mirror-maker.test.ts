import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { buildStack } from "../../../charts/stack-build.ts";
import { validateObject } from "../../../charts/crd-schema-validator.ts";
import { clientListener } from "../../../charts/listeners.ts";
import { findSecretMaterial } from "../../../charts/secret-guard.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import type { K8sObject } from "../../../charts/index.ts";
import { modelIssues } from "../support/model-issues.ts";
import { tempStackRoot, type StackMutation } from "../config/stack-mutations.ts";
import { activeActive } from "../support/active-active.ts";

/**
 * MirrorMaker 2 between the production regions (decision 0013), rendered from the stack
 * configs: prod-us-east-1 is active (serves, holds the read-only source user), prod-eu-west-1
 * passive (runs the KafkaMirrorMaker2 and the target user).
 */
const east = buildStack(loadStack("prod-us-east-1"));
const west = buildStack(loadStack("prod-eu-west-1"));

const find = (objects: readonly K8sObject[], kind: string, name?: string): K8sObject[] =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
type Json = Record<string, unknown>;
const at = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function issuesFor(stack: string, mutations: StackMutation[]): string[] {
  const root = tempStackRoot(stack, mutations);
  roots.push(root);
  return modelIssues(stack, root).map((i) => `${i.file}: ${i.path}: ${i.message}`);
}

describe("KafkaMirrorMaker2 of the receiving region", () => {
  const [mm2] = find(west.objects, "KafkaMirrorMaker2");
  const spec = at(mm2, "spec") as Json;
  const mirror = at(spec, "mirrors", 0) as Json;

  it("validates against the Strimzi v1 CRD, in the v1 layout (target + mirrors[])", () => {
    expect(mm2).toBeDefined();
    expect(validateObject(mm2!)).toMatchObject({ status: "valid" });
    expect(Object.keys(spec)).not.toContain("connectCluster");
    expect(Object.keys(spec)).not.toContain("clusters");
    expect(Object.keys(mirror)).not.toContain("heartbeatConnector");
    expect(at(spec, "target", "alias")).toBe("eu-west-1");
    expect(at(mirror, "source", "alias")).toBe("us-east-1");
    expect(at(mirror, "source", "bootstrapServers")).toBe(
      "kafka-repl-bootstrap.us-east-1.chat.internal:9094",
    );
  });

  it("runs no MirrorMaker where the stack only serves", () => {
    expect(find(east.objects, "KafkaMirrorMaker2")).toEqual([]);
    expect(find(east.objects, "PodMonitor", "chat-kafka-mirror-maker-2")).toEqual([]);
  });

  it("uses one replication policy in both connectors, offset syncs on the target, group offset sync, RF 3", () => {
    const source = at(mirror, "sourceConnector", "config") as Json;
    const checkpoint = at(mirror, "checkpointConnector", "config") as Json;
    expect(source["replication.policy.class"]).toBe(
      "org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
    );
    expect(checkpoint["replication.policy.class"]).toBe(source["replication.policy.class"]);
    expect(source["offset-syncs.topic.location"]).toBe("target");
    expect(checkpoint["offset-syncs.topic.location"]).toBe("target");
    expect(checkpoint["sync.group.offsets.enabled"]).toBe(true);
    expect(source["replication.factor"]).toBe(3);
    expect(source["offset-syncs.topic.replication.factor"]).toBe(3);
    expect(checkpoint["checkpoints.topic.replication.factor"]).toBe(3);
    const worker = at(spec, "target", "config") as Json;
    for (const k of ["config", "offset", "status"]) {
      expect(worker[`${k}.storage.replication.factor`]).toBe(3);
    }
  });

  it("replicates exactly the configured catalog families, and translates the groups that read them", () => {
    expect(mirror.topicsPattern).toBe("chat\\.messages\\.[a-z0-9-]+|chat\\.events|audit\\.log");
    const topics = new RegExp(`^(?:${String(mirror.topicsPattern)})$`);
    expect(topics.test("chat.messages.acme")).toBe(true);
    expect(topics.test("presence.updates")).toBe(false);
    expect(topics.test("us-east-1.chat.messages.acme")).toBe(false);
    expect(mirror.groupsPattern).toBe(
      "analytics-service|audit-service|message-processor|search-indexer",
    );
  });

  it("the secret guard accepts Strimzi's passwordSecret key name and still refuses a password value", () => {
    const obj: K8sObject = {
      apiVersion: "v1",
      kind: "Example",
      metadata: { name: "x" },
      spec: {
        authentication: { passwordSecret: { secretName: "s", password: "password" } },
        password: "hunter2",
      },
    };
    expect(findSecretMaterial([obj])).toEqual(["Example/x: $.spec.password"]);
    expect(findSecretMaterial(west.objects)).toEqual([]);
  });

  it("renders no password: both sides authenticate with Secret references", () => {
    expect(at(spec, "target", "authentication")).toEqual({
      type: "scram-sha-512",
      username: "mirror-maker",
      passwordSecret: { secretName: "mirror-maker", password: "password" },
    });
    expect(at(mirror, "source", "authentication", "passwordSecret")).toEqual({
      secretName: "mirror-maker-source-us-east-1",
      password: "password",
    });
  });
});

describe("MirrorMaker users, derived from the config", () => {
  const user = (objects: readonly K8sObject[], name: string): K8sObject => {
    const [u] = find(objects, "KafkaUser", name);
    if (u === undefined) throw new Error(`no KafkaUser ${name}`);
    return u;
  };
  const acls = (u: K8sObject): { resource: Json; operations: string[] }[] =>
    at(u, "spec", "authorization", "acls") as { resource: Json; operations: string[] }[];

  it("allow only: no wildcards, no cluster ACLs, no host filters; and carry quotas", () => {
    for (const u of [
      user(east.objects, "mirror-maker-eu-west-1"),
      user(west.objects, "mirror-maker"),
    ]) {
      for (const acl of acls(u) as unknown as { type: string; host?: string; resource: Json }[]) {
        expect(acl.type).toBe("allow");
        expect(acl.host).toBeUndefined();
        expect(acl.resource.type).not.toBe("cluster");
        expect(String(acl.resource.name)).not.toMatch(/\*/);
      }
      // 4 tenants' chat.messages (1536 KiB/s peak each) + chat.events 512 + audit.log 100,
      // x 3 to catch up, / 2 brokers (one may be down).
      expect(at(u, "spec", "quotas")).toEqual({
        producerByteRate: Math.ceil(((4 * 1536 + 512 + 100) * 1024 * 3) / 2),
        consumerByteRate: Math.ceil(((4 * 1536 + 512 + 100) * 1024 * 3) / 2),
        requestPercentage: 100,
      });
    }
  });

  it("both validate against the KafkaUser CRD", () => {
    expect(validateObject(user(east.objects, "mirror-maker-eu-west-1")).status).toBe("valid");
    expect(validateObject(user(west.objects, "mirror-maker")).status).toBe("valid");
  });

  it("on the source: only reads the replicated topics and heartbeats, and describes the translated groups", () => {
    const rules = acls(user(east.objects, "mirror-maker-eu-west-1"));
    const ops = new Set(rules.flatMap((r) => r.operations));
    expect([...ops].sort()).toEqual(["Describe", "DescribeConfigs", "Read"]);
    expect(rules.filter((r) => r.resource.type === "topic").map((r) => r.resource)).toEqual([
      { type: "topic", name: "audit.log", patternType: "literal" },
      { type: "topic", name: "chat.events", patternType: "literal" },
      { type: "topic", name: "chat.messages.", patternType: "prefix" },
      { type: "topic", name: "heartbeats", patternType: "literal" },
    ]);
    expect(rules.filter((r) => r.resource.type === "group")).toEqual(
      ["analytics-service", "audit-service", "message-processor", "search-indexer"].map((g) => ({
        type: "allow",
        resource: { type: "group", name: g, patternType: "literal" },
        operations: ["Describe"],
      })),
    );
  });

  it("on the target: writes the mirrored topics (no create: identity names are the catalog's), owns its internal topics and worker group", () => {
    const rules = acls(user(west.objects, "mirror-maker"));
    const byName = Object.fromEntries(rules.map((r) => [String(r.resource.name), r.operations]));
    expect(byName["chat.messages."]).toEqual(["Describe", "DescribeConfigs", "Read", "Write"]);
    expect(byName["mm2-offset-syncs.us-east-1.internal"]).toEqual([
      "Create",
      "Describe",
      "DescribeConfigs",
      "Read",
      "Write",
    ]);
    expect(byName["us-east-1-mm2"]).toEqual(["Describe", "Read"]);
    expect(byName["search-indexer"]).toEqual(["Describe", "Read"]);
    expect(Object.keys(byName)).not.toContain("presence.updates");
  });

  it("follow the config: another topic list gives other ACLs", () => {
    const loaded = loadStack("prod-us-east-1");
    const model = buildPlatformModel({
      ...loaded,
      config: {
        ...loaded.config,
        mirrorMaker: { ...loaded.config.mirrorMaker, topics: ["audit.log"] },
      },
    });
    const flow = model.mirror?.outbound[0];
    expect(flow?.sourceAcls.map((r) => r.resource.name)).toEqual([
      "audit-service",
      "audit.log",
      "heartbeats",
    ]);
  });
});

describe("the replication listener", () => {
  const kafka = find(west.objects, "Kafka")[0];
  const listeners = at(kafka, "spec", "kafka", "listeners") as Json[];

  it("keeps the in-cluster client listener as it is, and adds an internal load balancer the peer reaches", () => {
    expect(listeners[0]).toEqual(
      JSON.parse(JSON.stringify(clientListener(buildPlatformModel(loadStack("prod-eu-west-1"))))),
    );
    const repl = listeners[1]!;
    expect(repl).toMatchObject({ name: "repl", port: 9094, type: "loadbalancer", tls: true });
    expect(at(repl, "authentication", "type")).toBe("scram-sha-512");
    expect(at(repl, "configuration", "bootstrap", "alternativeNames")).toEqual([
      "kafka-repl-bootstrap.eu-west-1.chat.internal",
    ]);
    expect(
      (at(repl, "configuration", "brokers") as Json[]).map((b) => [b.broker, b.advertisedHost]),
    ).toEqual([
      [100, "kafka-repl-0.eu-west-1.chat.internal"],
      [101, "kafka-repl-1.eu-west-1.chat.internal"],
      [102, "kafka-repl-2.eu-west-1.chat.internal"],
    ]);
    expect(at(repl, "configuration", "bootstrap", "annotations")).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    });
    expect(repl.networkPolicyPeers).toEqual([{ ipBlock: { cidr: "10.10.0.0/16" } }]);
    expect(validateObject(kafka!).status).toBe("valid");
  });

  it("is admitted by the NetworkPolicy only from the peer's network", () => {
    const [policy] = find(west.objects, "NetworkPolicy", "chat-kafka-kafka-clients");
    const ingress = at(policy, "spec", "ingress") as { from: Json[]; ports: Json[] }[];
    const repl = ingress.filter((r) => r.ports.some((p) => p.port === 9094));
    expect(repl).toEqual([
      { from: [{ ipBlock: { cidr: "10.10.0.0/16" } }], ports: [{ port: 9094, protocol: "TCP" }] },
    ]);
  });
});

describe("refusals at render, with file and field", () => {
  it("a peer stack that does not exist", () => {
    expect(
      issuesFor("prod-eu-west-1", [
        { set: ["mirrorMaker", "peers", 0, "stack"], value: "prod-ap-south-1" },
      ]),
    ).toEqual([
      expect.stringMatching(
        /^Pulumi\.prod-eu-west-1\.yaml: config\.kafka-platform:mirrorMaker\.peers\[0\]\.stack: no stack "prod-ap-south-1"/,
      ),
    ]);
  });

  it("a topic family that is not in the catalog, and one the catalog does not let replicate", () => {
    expect(
      issuesFor("prod-eu-west-1", [
        {
          set: ["mirrorMaker", "topics"],
          value: ["chat.messages.{tenant}", "chat.reactions", "presence.updates"],
        },
      ]),
    ).toEqual([
      'Pulumi.prod-eu-west-1.yaml: config.kafka-platform:mirrorMaker.topics[1]: "chat.reactions" is not a topic in the catalog (topics/catalog.ts)',
      expect.stringMatching(
        /^Pulumi\.prod-eu-west-1\.yaml: config\.kafka-platform:mirrorMaker\.topics\[2\]: "presence\.updates" may not replicate: Presence is rebuilt/,
      ),
    ]);
  });

  it("a replicated topic whose retention is shorter than the RPO", () => {
    // chat.events keeps 7 days; an RPO of 8 days could lose records before they are mirrored.
    expect(
      issuesFor("prod-eu-west-1", [{ set: ["mirrorMaker", "rpoSeconds"], value: 8 * 86400 }]),
    ).toEqual([
      "Pulumi.prod-eu-west-1.yaml: config.kafka-platform:mirrorMaker.topics[1]: topic chat.events keeps records 604800 s, less than the RPO of 691200 s (mirrorMaker.rpoSeconds): records could expire before they are mirrored; lower the RPO or raise the retention",
    ]);
  });

  it("a peer whose region is not the one its stack declares", () => {
    expect(
      issuesFor("prod-eu-west-1", [
        { set: ["mirrorMaker", "peers", 0, "region"], value: "us-west-2" },
      ]),
    ).toEqual([
      "Pulumi.prod-eu-west-1.yaml: config.kafka-platform:mirrorMaker.peers[0].region: is us-west-2, but Pulumi.prod-us-east-1.yaml declares region us-east-1",
    ]);
  });
});

describe("active-active", () => {
  const loaded = loadStack("prod-eu-west-1");
  const model = buildPlatformModel({
    ...loaded,
    config: activeActive(loaded.config, "4Ti"),
  });

  it("prefixes mirrored names with the source region and lets MirrorMaker create and configure them", () => {
    const flow = model.mirror?.inbound[0];
    expect(flow?.sourceConnector["replication.policy.class"]).toBe(
      "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
    );
    expect(flow?.topics.map((t) => t.remote)).toEqual([
      { name: "us-east-1.chat.messages.", patternType: "prefix" },
      { name: "us-east-1.chat.events", patternType: "literal" },
      { name: "us-east-1.audit.log", patternType: "literal" },
    ]);
    const rule = flow?.targetAcls.find((r) => r.resource.name === "us-east-1.chat.messages.");
    expect(rule?.operations).toEqual([
      "Alter",
      "AlterConfigs",
      "Create",
      "Describe",
      "DescribeConfigs",
      "Read",
      "Write",
    ]);
    // Both directions: this region also serves the peer.
    expect(model.mirror?.outbound.map((f) => `${f.source}->${f.target}`)).toEqual([
      "eu-west-1->us-east-1",
    ]);
  });

  it("gives the consumers of replicated topics read access to the mirrored names too", () => {
    const indexer = model.access.find((a) => a.service === "search-indexer");
    expect(indexer?.acls.map((r) => `${r.resource.patternType}:${r.resource.name}`)).toEqual(
      expect.arrayContaining(["prefix:us-east-1.chat.messages.", "literal:us-east-1.chat.events"]),
    );
    const audit = model.access.find((a) => a.service === "audit-service");
    expect(audit?.acls.map((r) => r.resource.name)).toContain("us-east-1.audit.log");
    // A service that reads nothing replicated gets nothing more.
    const notifications = model.access.find((a) => a.service === "notification-service");
    expect(notifications?.acls.some((r) => r.resource.name.startsWith("us-east-1."))).toBe(false);
  });
});
