import { describe, expect, it } from "vitest";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { chartYaml } from "../../../charts/manifest-yaml.ts";
import { renderStack } from "../../../charts/index.ts";
import { parse as parseYaml } from "yaml";
import type { JmxExporterConfig } from "../../../charts/monitoring/jmx-exporter-rules.ts";
import { validateObject, validationErrors } from "../../../charts/crd-schema-validator.ts";
import { findSecretMaterial } from "../../../charts/secret-guard.ts";
import { emulateRule } from "../monitoring/jmx-rule-emulator.ts";
import { field, ofKind, renderedStacks } from "./rendered-stacks.ts";

const stacks = renderedStacks();

describe("the repository has stacks to test", () => {
  it("finds the four stack files", () => {
    expect(stacks.map((s) => s.stack)).toEqual(
      expect.arrayContaining(["dev", "staging", "prod-us-east-1", "prod-eu-west-1"]),
    );
  });
});

describe.each(stacks.map((s) => [s.stack, s] as const))("stack %s", (_name, rendered) => {
  const { model, objects, charts } = rendered;
  const cfg = model.config;
  const kafka = ofKind(objects, "Kafka");
  const pools = ofKind(objects, "KafkaNodePool");

  it("every object validates against its CRD (failures name the object and the JSON path)", () => {
    expect(validationErrors(objects)).toEqual([]);
    // Only plain Kubernetes kinds go without a CRD.
    const noCrd = objects.filter((o) => validateObject(o).status === "no-crd").map((o) => o.kind);
    expect([...new Set(noCrd)].sort()).toEqual(
      [
        "ConfigMap",
        "NetworkPolicy",
        ...(cfg.cluster.storageClass?.create === true ? ["StorageClass"] : []),
        // The Schema Registry's workload (charts/schema-registry-chart.ts).
        ...(model.config.schemaRegistry.enabled
          ? ["Deployment", "PodDisruptionBudget", "Service"]
          : []),
      ].sort(),
    );
  });

  it("renders one file per chart, each with objects, every object in the stack's namespace", () => {
    expect(charts.map((c) => c.name)).toEqual(
      expect.arrayContaining(["kafka-cluster", "kafka-topics", "kafka-users"]),
    );
    for (const c of charts) expect(c.objects.length).toBeGreaterThan(0);
    const strimziCharts = ["kafka-cluster", "kafka-topics", "kafka-users"];
    for (const c of charts.filter((x) => strimziCharts.includes(x.name))) {
      for (const o of c.objects) expect(o.metadata.namespace).toBe(cfg.kubernetes.namespace);
    }
  });

  it("renders one Kafka (v1, KRaft) with the stack's Kafka and metadata version", () => {
    expect(kafka).toHaveLength(1);
    expect(kafka[0]?.apiVersion).toBe("kafka.strimzi.io/v1");
    expect(kafka[0]?.metadata.name).toBe(cfg.cluster.name);
    expect(field(kafka[0], "spec", "kafka", "version")).toBe("4.3.1");
    expect(field(kafka[0], "spec", "kafka", "metadataVersion")).toBe("4.3-IV0");
    expect(field(kafka[0], "spec", "kafka", "replicas")).toBeUndefined();
    expect(field(kafka[0], "spec", "kafka", "storage")).toBeUndefined();
  });

  it("has exactly 3 brokers and 3 controllers: two pools, or one dual-role pool where asked", () => {
    const roles = (p: unknown): string => JSON.stringify(field(p, "spec", "roles"));
    const replicasWith = (role: string): number =>
      pools
        .filter((p) => roles(p).includes(`"${role}"`))
        .reduce((n, p) => n + (field(p, "spec", "replicas") as number), 0);
    expect(replicasWith("broker")).toBe(3);
    expect(replicasWith("controller")).toBe(3);
    if (cfg.cluster.nodePools === "combined") {
      expect(pools.map((p) => [p.metadata.name, roles(p)])).toEqual([
        ["dual-role", '["controller","broker"]'],
      ]);
    } else {
      expect(pools.map((p) => [p.metadata.name, roles(p)]).sort()).toEqual([
        ["brokers", '["broker"]'],
        ["controllers", '["controller"]'],
      ]);
    }
    // Staging and prod keep separate pools.
    if (cfg.environment !== "dev") expect(pools).toHaveLength(2);
    for (const p of pools) {
      expect(p.metadata.labels?.["strimzi.io/cluster"]).toBe(cfg.cluster.name);
    }
  });

  it("gives each pool persistent JBOD storage with KRaft metadata on the first volume only", () => {
    for (const p of pools) {
      const controllerOnly = JSON.stringify(field(p, "spec", "roles")) === '["controller"]';
      const pool = controllerOnly ? cfg.cluster.controllers! : cfg.cluster.brokers;
      expect(field(p, "spec", "storage", "type")).toBe("jbod");
      const volumes = field(p, "spec", "storage", "volumes") as Record<string, unknown>[];
      expect(volumes).toHaveLength(pool.storage.volumes);
      volumes.forEach((v, i) => {
        expect(v).toMatchObject({
          id: i,
          type: "persistent-claim",
          size: pool.storage.size,
          deleteClaim: pool.storage.deleteClaim,
        });
        expect(v.kraftMetadata).toBe(i === 0 ? "shared" : undefined);
        expect(v.class).toBe(pool.storage.class);
      });
      if (cfg.environment !== "dev")
        expect(volumes.every((v) => v.deleteClaim === false)).toBe(true);
      expect(field(p, "spec", "jvmOptions")).toEqual({ "-Xms": pool.heap, "-Xmx": pool.heap });
      expect(field(p, "spec", "resources", "requests")).toEqual(pool.resources.requests);
    }
  });

  it("has a TLS listener with SCRAM-SHA-512 reachable only from labelled namespaces", () => {
    const listeners = field(kafka[0], "spec", "kafka", "listeners") as Record<string, unknown>[];
    // Where the stack mirrors, the replication listener follows (test/unit/charts/mirror-maker.test.ts).
    expect(listeners.slice(1).map((l) => l.name)).toEqual(cfg.mirrorMaker.enabled ? ["repl"] : []);
    expect(listeners.slice(0, 1)).toEqual([
      {
        name: "tls",
        port: 9093,
        type: "internal",
        tls: true,
        authentication: { type: "scram-sha-512" },
        networkPolicyPeers: [
          { namespaceSelector: { matchLabels: { [cfg.kubernetes.clientNamespaceLabel]: "true" } } },
        ],
      },
    ]);
  });

  it("uses simple authorization with the platform admin as the only super user", () => {
    expect(field(kafka[0], "spec", "kafka", "authorization")).toEqual({
      type: "simple",
      superUsers: ["platform-admin"],
    });
  });

  it("replicates internal topics 3 ways with min ISR 2, no auto-creation, no unclean election", () => {
    expect(field(kafka[0], "spec", "kafka", "config")).toMatchObject({
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "auto.create.topics.enable": false,
      "unclean.leader.election.enable": false,
    });
  });

  it("is rack aware, runs both entity operators, Kafka Exporter and Cruise Control as configured", () => {
    expect(field(kafka[0], "spec", "kafka", "rack", "topologyKey")).toBe(
      cfg.cluster.rackTopologyKey,
    );
    expect(Object.keys(field(kafka[0], "spec", "entityOperator") as object).sort()).toEqual([
      "topicOperator",
      "userOperator",
    ]);
    expect(field(kafka[0], "spec", "kafkaExporter")).toBeDefined();
    expect(field(kafka[0], "spec", "cruiseControl") !== undefined).toBe(cfg.cluster.cruiseControl);
  });

  it("sets the PodDisruptionBudget through the Strimzi template", () => {
    expect(field(kafka[0], "spec", "kafka", "template", "podDisruptionBudget")).toEqual({
      maxUnavailable: cfg.cluster.maxUnavailable,
    });
  });

  it("points metricsConfig at a ConfigMap rendered next to it, holding the exporter rules", () => {
    const cmName = `${cfg.cluster.name}-kafka-metrics`;
    const cmKey = "kafka-metrics-config.yml";
    expect(field(kafka[0], "spec", "kafka", "metricsConfig")).toEqual({
      type: "jmxPrometheusExporter",
      valueFrom: { configMapKeyRef: { name: cmName, key: cmKey } },
    });
    const clusterChart = charts.find((c) => c.name === "kafka-cluster");
    const cm = clusterChart?.objects.find(
      (o) => o.kind === "ConfigMap" && o.metadata.name === cmName,
    );
    expect(cm?.metadata.namespace).toBe(cfg.kubernetes.namespace);
    const text = field(cm, "data", cmKey);
    expect(typeof text).toBe("string");
    const exporter = parseYaml(text as string) as JmxExporterConfig;
    expect(exporter.lowercaseOutputName).toBe(true);
    expect(Array.isArray(exporter.rules)).toBe(true);
    expect(exporter.rules.length).toBeGreaterThan(0);
    // Applied as the exporter applies them, the rendered rules name the series the alerts read.
    expect(
      emulateRule(
        exporter,
        "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions",
        "Value",
        "3",
      )?.name,
    ).toBe("kafka_server_replicamanager_underreplicatedpartitions");
    const latency = emulateRule(
      exporter,
      "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce",
      "99thPercentile",
      "4.1",
    );
    expect(latency?.name).toBe("kafka_network_requestmetrics_totaltimems");
    expect(latency?.labels).toEqual({ request: "Produce", quantile: "0.99" });
  });

  it("admits client ingress to the brokers only from labelled client namespaces", () => {
    const clusterObjects = charts.find((c) => c.name === "kafka-cluster")?.objects ?? [];
    const policies = ofKind(clusterObjects, "NetworkPolicy");
    expect(policies.length).toBeGreaterThanOrEqual(1);
    const clientSelector = { [cfg.kubernetes.clientNamespaceLabel]: "true" };
    for (const np of policies) {
      const rules = field(np, "spec", "ingress") as { from?: unknown[]; ports?: unknown[] }[];
      expect(field(np, "spec", "policyTypes")).toEqual(["Ingress"]);
      for (const rule of rules) {
        expect(rule.from?.length).toBeGreaterThan(0);
        // The replication listener admits the peer regions' networks only (decision 0013).
        if (rule.ports?.some((p) => field(p, "port") === 9094)) {
          expect(rule.from).toEqual(
            (cfg.mirrorMaker.peers ?? []).flatMap((p) =>
              p.networks.map((cidr) => ({ ipBlock: { cidr } })),
            ),
          );
          continue;
        }
        for (const peer of rule.from ?? []) {
          expect(field(peer, "ipBlock")).toBeUndefined();
          const selector = field(peer, "namespaceSelector", "matchLabels");
          expect(selector).toEqual(clientSelector);
        }
      }
    }
    // No policy of ours on metrics ports: Strimzi's generated ones open them to every peer and
    // policies add up, so one would restrict nothing (charts/network-policies.ts).
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      `${cfg.cluster.name}-kafka-clients`,
    ]);
    const clients = policies.find((p) => p.metadata.name === `${cfg.cluster.name}-kafka-clients`);
    expect((field(clients, "spec", "ingress") as unknown[]).slice(0, 1)).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: clientSelector }, podSelector: {} }],
        ports: [{ port: 9093, protocol: "TCP" }],
      },
    ]);
  });

  it("renders one KafkaTopic per catalog topic and one KafkaUser per service plus the admin", () => {
    const topics = ofKind(objects, "KafkaTopic");
    expect(topics.map((t) => field(t, "spec", "topicName")).sort()).toEqual(
      model.topics.map((t) => t.name).sort(),
    );
    for (const t of topics) {
      expect(t.metadata.labels?.["strimzi.io/cluster"]).toBe(cfg.cluster.name);
      expect(field(t, "spec", "replicas")).toBe(3);
      expect(field(t, "spec", "config", "min.insync.replicas")).toBe("2");
    }
    const users = ofKind(objects, "KafkaUser").filter((u) => !isMirrorMakerUser(u));
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      [...model.access.map((a) => a.username), "platform-admin"].sort(),
    );
  });

  it("contains no secret material: no Secret, no password value, no JAAS config", () => {
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(findSecretMaterial(objects)).toEqual([]);
    // The only password fields are references to a Secret, never a value.
    const text = JSON.stringify(objects);
    const refs =
      text.match(
        /"password":\{"valueFrom":\{"secretKeyRef":\{"key":"password","name":"[a-z-]+-scram-password"\}\}\}/g,
      ) ?? [];
    expect(refs).toHaveLength(model.access.length);
    // Besides them, Strimzi's passwordSecret references of MirrorMaker name only a key.
    const keyNames =
      text.match(/"passwordSecret":\{"password":"password","secretName":"[a-z0-9-]+"\}/g) ?? [];
    expect(text.split('"password":').length - 1).toBe(model.access.length + keyNames.length);
    // A JAAS config appears only as a reference the Connect worker resolves from the user's
    // Secret (the heartbeat connector, decision 0015), never as a value.
    const jaasRefs =
      /"target\.cluster\.sasl\.jaas\.config":"\$\{strimzisecrets:[a-z0-9-]+\/[a-z0-9-]+:sasl\.jaas\.config\}"/g;
    expect(text.replace(jaasRefs, "")).not.toMatch(/sasl\.jaas\.config/i);
    expect(text).not.toMatch(/scram-sha-512:[^"]/i);
  });

  it("renders deterministically: two renders give byte-identical files", () => {
    const again = renderStack(model);
    expect(again.map((c) => chartYaml(rendered.stack, c))).toEqual(
      charts.map((c) => chartYaml(rendered.stack, c)),
    );
  });
});
