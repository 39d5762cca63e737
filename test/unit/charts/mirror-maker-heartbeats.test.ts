import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertContextFromModel } from "../../../alerts/context.ts";
import { EXTRA_CRD_FILES, validateObject } from "../../../charts/crd-schema-validator.ts";
import type { K8sObject } from "../../../charts/index.ts";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { mirrorMakerJmxExporterConfig } from "../../../charts/mirror-maker-metrics.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { findSecretMaterial } from "../../../charts/secret-guard.ts";
import { buildStack } from "../../../charts/stack-build.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { emulateRule } from "../monitoring/jmx-rule-emulator.ts";
import { activeActive } from "../support/active-active.ts";

/**
 * The heartbeat emitter (decision 0015): prod-us-east-1 serves eu-west-1, so it runs a
 * KafkaConnect with a MirrorHeartbeatConnector writing `heartbeats` into its own cluster;
 * prod-eu-west-1's KafkaMirrorMaker2 replicates them as `us-east-1.heartbeats`.
 *
 * Expected values come from Strimzi 1.2.0 and Kafka 4.3.1, not from the code under test:
 * Strimzi names a Kafka's bootstrap Service `<kafka>-kafka-bootstrap` and a KafkaConnect's
 * trusted-certificates Secret `<connect>-connect-tls-trusted-certs` (key `ca.crt`,
 * KafkaConnectResources / KafkaConnectCluster.KAFKA_CONNECT_CERTIFICATES_KEY) and configures the
 * `strimzisecrets` config provider in every KafkaConnect (KafkaConnectConfigurationBuilder); Kafka
 * formats the heartbeats of `us-east-1` as `us-east-1.heartbeats` even under
 * IdentityReplicationPolicy, and for a flow A->B emits its heartbeats from the herder B->A
 * (MirrorMakerConfig.clusterPairs).
 */
const east = buildStack(loadStack("prod-us-east-1"));
const west = buildStack(loadStack("prod-eu-west-1"));

type Json = Record<string, unknown>;
const find = (objects: readonly K8sObject[], kind: string, name?: string): K8sObject[] =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects: readonly K8sObject[], kind: string, name: string): K8sObject => {
  const [o] = find(objects, kind, name);
  if (o === undefined) throw new Error(`no ${kind} ${name}`);
  return o;
};
const spec = (o: K8sObject): Json => (o as unknown as { spec: Json }).spec;
const BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

describe("the heartbeat KafkaConnect where the stack serves a peer", () => {
  const connect = one(east.objects, "KafkaConnect", "chat-kafka-mirror-heartbeats");

  it("validates against Strimzi 1.2's KafkaConnect CRD (v1) and manages connectors from KafkaConnector resources", () => {
    expect(validateObject(connect)).toMatchObject({ status: "valid" });
    expect(connect.apiVersion).toBe("kafka.strimzi.io/v1");
    expect(connect.metadata.annotations).toEqual({ "strimzi.io/use-connector-resources": "true" });
  });

  it("one worker on the local cluster's TLS listener with SCRAM-SHA-512, storage topics at RF 3", () => {
    expect(spec(connect)).toMatchObject({
      replicas: 1,
      version: "4.3.1",
      bootstrapServers: "chat-kafka-kafka-bootstrap:9093",
      groupId: "mirror-heartbeats",
      configStorageTopic: "mirror-heartbeats-configs.internal",
      offsetStorageTopic: "mirror-heartbeats-offsets.internal",
      statusStorageTopic: "mirror-heartbeats-status.internal",
      tls: {
        trustedCertificates: [{ secretName: "chat-kafka-cluster-ca-cert", pattern: "*.crt" }],
      },
      authentication: {
        type: "scram-sha-512",
        username: "mirror-heartbeats",
        passwordSecret: { secretName: "mirror-heartbeats", password: "password" },
      },
      config: {
        "config.storage.replication.factor": 3,
        "offset.storage.replication.factor": 3,
        "status.storage.replication.factor": 3,
      },
    });
    // MirrorMaker never replicates topics ending in `.internal` (ReplicationPolicy.isInternalTopic).
    for (const k of ["configStorageTopic", "offsetStorageTopic", "statusStorageTopic"]) {
      expect(String(spec(connect)[k])).toMatch(/\.internal$/);
    }
  });

  it("exports its metrics through a ConfigMap in the render, scraped by a PodMonitor", () => {
    const ref = (spec(connect).metricsConfig as { valueFrom: { configMapKeyRef: Json } }).valueFrom
      .configMapKeyRef;
    const cm = one(east.objects, "ConfigMap", String(ref.name));
    expect(Object.keys((cm as unknown as { data: Json }).data)).toEqual([String(ref.key)]);
    const [pm] = find(east.objects, "PodMonitor", "chat-kafka-mirror-heartbeats");
    expect((spec(pm!).selector as Json).matchLabels).toEqual({
      "strimzi.io/kind": "KafkaConnect",
      "strimzi.io/cluster": "chat-kafka-mirror-heartbeats",
    });
  });
});

describe("the MirrorHeartbeatConnector KafkaConnector", () => {
  const connector = one(east.objects, "KafkaConnector", "mirror-heartbeats-eu-west-1");
  const config = spec(connector).config as Json;

  it("validates against 047-Crd-kafkaconnector.yaml, read by path from Strimzi's Helm chart", () => {
    expect(EXTRA_CRD_FILES).toHaveLength(1);
    expect(EXTRA_CRD_FILES[0]).toMatch(
      /\/shared\/strimzi-helm-chart\/crds\/047-Crd-kafkaconnector\.yaml$/,
    );
    expect(existsSync(EXTRA_CRD_FILES[0]!)).toBe(true);
    expect(validateObject(connector)).toMatchObject({ status: "valid" });
    // The schema really applies: a field it does not know, and a string tasksMax, are refused.
    const bad = { ...connector, spec: { ...spec(connector), tasksMax: "one", heartbeat: true } };
    const result = validateObject(bad);
    expect(result.status).toBe("invalid");
    expect(result.errors.join("\n")).toMatch(/tasksMax/);
    expect(result.errors.join("\n")).toMatch(/heartbeat: unknown field/);
  });

  it("the CRD is not copied into the repository", () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.name === "node_modules" || e.name === ".git" || e.name === ".cache" || e.name === "dist"
          ? []
          : e.isDirectory()
            ? walk(join(dir, e.name))
            : [e.name],
      );
    const root = new URL("../../../", import.meta.url).pathname;
    expect(walk(root).filter((f) => /kafkaconnector/i.test(f) && /\.ya?ml$/.test(f))).toEqual([]);
  });

  it("belongs to the heartbeat KafkaConnect and runs Kafka's MirrorHeartbeatConnector", () => {
    expect(connector.metadata.labels?.["strimzi.io/cluster"]).toBe("chat-kafka-mirror-heartbeats");
    expect(spec(connector)).toMatchObject({
      class: "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector",
      tasksMax: 1,
    });
  });

  it("writes heartbeats of the pair eu-west-1 -> us-east-1 into us-east-1, as raw bytes, RF 3", () => {
    expect(config).toMatchObject({
      "source.cluster.alias": "eu-west-1",
      "target.cluster.alias": "us-east-1",
      "replication.policy.class": "org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
      "heartbeats.topic.replication.factor": 3,
      "emit.heartbeats.interval.seconds": 5,
      "key.converter": BYTES,
      "value.converter": BYTES,
      "header.converter": BYTES,
    });
  });

  it("reaches its own cluster for the topic's creation through Strimzi's secret provider, no credential in the manifest", () => {
    expect(config).toMatchObject({
      "target.cluster.bootstrap.servers": "chat-kafka-kafka-bootstrap:9093",
      "target.cluster.security.protocol": "SASL_SSL",
      "target.cluster.sasl.mechanism": "SCRAM-SHA-512",
      "target.cluster.sasl.jaas.config":
        "${strimzisecrets:kafka/mirror-heartbeats:sasl.jaas.config}",
      "target.cluster.ssl.truststore.type": "PEM",
      "target.cluster.ssl.truststore.certificates":
        "${strimzisecrets:kafka/chat-kafka-mirror-heartbeats-connect-tls-trusted-certs:ca.crt}",
    });
    // The Secrets the provider reads are the ones Strimzi's Connect Role grants: the user's
    // passwordSecret and the trusted-certificates copy of spec.tls.
    const connect = one(east.objects, "KafkaConnect", "chat-kafka-mirror-heartbeats");
    expect((spec(connect).authentication as Json).passwordSecret).toMatchObject({
      secretName: "mirror-heartbeats",
    });
    expect(findSecretMaterial(east.objects)).toEqual([]);
  });
});

describe("the heartbeat Connect user", () => {
  const user = one(east.objects, "KafkaUser", "mirror-heartbeats");

  it("validates, is kept apart from the services' users, and carries a quota", () => {
    expect(validateObject(user).status).toBe("valid");
    expect(isMirrorMakerUser(user)).toBe(true);
    expect(spec(user).quotas).toEqual({
      producerByteRate: 262_144,
      consumerByteRate: 262_144,
      requestPercentage: 25,
    });
  });

  it("least privilege: its group, its three storage topics, and create/write/describe on heartbeats", () => {
    const allow = (type: string, name: string, operations: string[]): Json => ({
      type: "allow",
      resource: { type, name, patternType: "literal" },
      operations,
    });
    const storage = ["Create", "Describe", "DescribeConfigs", "Read", "Write"];
    expect((spec(user).authorization as Json).acls).toEqual([
      allow("group", "mirror-heartbeats", ["Describe", "Read"]),
      allow("topic", "heartbeats", ["Create", "Describe", "Write"]),
      allow("topic", "mirror-heartbeats-configs.internal", storage),
      allow("topic", "mirror-heartbeats-offsets.internal", storage),
      allow("topic", "mirror-heartbeats-status.internal", storage),
    ]);
  });
});

describe("where the heartbeat emitter runs", () => {
  const kinds = ["KafkaConnect", "KafkaConnector"];

  it("only where the stack serves a peer: not in the passive region, not in dev, staging or local", () => {
    expect(find(east.objects, "KafkaConnector")).toHaveLength(1);
    for (const stack of ["dev", "staging", "local"]) {
      const objects = buildStack(loadStack(stack)).objects;
      expect(
        objects.filter((o) => kinds.includes(o.kind)),
        stack,
      ).toEqual([]);
      expect(find(objects, "KafkaUser", "mirror-heartbeats"), stack).toEqual([]);
    }
    expect(west.objects.filter((o) => kinds.includes(o.kind))).toEqual([]);
    expect(find(west.objects, "KafkaUser", "mirror-heartbeats")).toEqual([]);
  });

  it("in both regions under active-active, each emitting for its peer with prefixed names", () => {
    for (const [stack, peer] of [
      ["prod-eu-west-1", "us-east-1"],
      ["prod-us-east-1", "eu-west-1"],
    ] as const) {
      const loaded = loadStack(stack);
      const model = buildPlatformModel({
        ...loaded,
        config: activeActive(loaded.config, "4Ti"),
      });
      const hb = model.mirror?.heartbeats;
      expect(hb?.connectors.map((c) => [c.name, c.config["source.cluster.alias"]])).toEqual([
        [`mirror-heartbeats-${peer}`, peer],
      ]);
      expect(hb?.connectors[0]?.config["replication.policy.class"]).toBe(
        "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
      );
    }
  });
});

describe("the peer's KafkaMirrorMaker2 replicates the heartbeats", () => {
  const mm2 = one(west.objects, "KafkaMirrorMaker2", "chat-kafka-mirror-maker-2");
  const mirror = (spec(mm2).mirrors as Json[])[0]!;

  it("whatever the topic pattern (heartbeats.replication.enabled), and the pattern alone would not", () => {
    expect(
      (mirror.sourceConnector as { config: Json }).config["heartbeats.replication.enabled"],
    ).toBe(true);
    expect(new RegExp(`^(?:${String(mirror.topicsPattern)})$`).test("heartbeats")).toBe(false);
  });

  it("lets the target user create and write us-east-1.heartbeats under the identity policy", () => {
    const user = one(west.objects, "KafkaUser", "mirror-maker");
    const rules = (spec(user).authorization as { acls: { resource: Json; operations: string[] }[] })
      .acls;
    const rule = rules.find((r) => r.resource.name === "us-east-1.heartbeats");
    expect(rule?.resource.patternType).toBe("literal");
    expect(rule?.operations).toEqual([
      "Alter",
      "Create",
      "Describe",
      "DescribeConfigs",
      "Read",
      "Write",
    ]);
  });

  it("Kafka 4.3.1's MirrorSourceConnector bean (source tag first) reaches the exporter with the copy's name", () => {
    // The bean as Kafka 4.3.1 registers it (MirrorSourceLegacyMetrics; checked on the real
    // classes with the real javaagent, decision 0015).
    const sample = emulateRule(
      mirrorMakerJmxExporterConfig(),
      "kafka.connect.mirror:type=MirrorSourceConnector,source=us-east-1,target=eu-west-1,topic=us-east-1.heartbeats,partition=0",
      "record-count",
      "2.0",
    );
    expect(sample).toEqual({
      name: "kafka_connect_mirror_source_connector_record_count",
      labels: {
        source: "us-east-1",
        target: "eu-west-1",
        topic: "us-east-1.heartbeats",
        partition: "0",
      },
    });
  });

  it("the receiving stack's alerts watch us-east-1.heartbeats; the serving one has no MirrorMaker alerts", () => {
    const ctx = alertContextFromModel(buildPlatformModel(loadStack("prod-eu-west-1")));
    expect(ctx.mirrorMaker?.heartbeatTopics).toEqual(["us-east-1.heartbeats"]);
    expect(alertContextFromModel(buildPlatformModel(loadStack("prod-us-east-1"))).mirrorMaker).toBe(
      undefined,
    );
  });
});
