import { describe, expect, it } from "vitest";
import { deriveAllAccess } from "../../../acl/derive.ts";
import type { K8sObject, RenderedChart } from "../../../charts/index.ts";
import { strimziOperatorValues } from "../../../infra/components/strimzi-operator.ts";
import { planManifestGroups, tierOf } from "../../../infra/manifest-plan.ts";
import { kafkaAclResourceName, kafkaAclSpecs } from "../../../infra/kafka-acls.ts";
import { dataProtection } from "../../../infra/protection.ts";
import { clusterIdentifier } from "../../../infra/providers/kubernetes-provider.ts";
import { credentialSecretNames, strimziBootstrapAddresses } from "../../../infra/stack-outputs.ts";
import { decodeConfigValue, splitProjectConfig } from "../../../infra/stack-settings.ts";

const obj = (apiVersion: string, kind: string, name: string, extra: object = {}): K8sObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: "kafka" },
  ...extra,
});
const S = "kafka.strimzi.io/v1";
const charts: RenderedChart[] = [
  {
    name: "cluster",
    objects: [
      obj(S, "Kafka", "chat-kafka"),
      obj(S, "KafkaNodePool", "brokers"),
      obj("v1", "ConfigMap", "metrics"),
      obj("networking.k8s.io/v1", "NetworkPolicy", "clients"),
    ],
  },
  { name: "topics", objects: [obj(S, "KafkaTopic", "a"), obj(S, "KafkaTopic", "b")] },
  {
    name: "extras",
    objects: [
      obj(S, "KafkaUser", "svc"),
      obj("monitoring.coreos.com/v1", "PodMonitor", "pm"),
      obj("v1", "ConfigMap", "dashboard"),
    ],
  },
];

describe("dataProtection", () => {
  it("protects the cluster, topics, CRDs and namespace together when protectData is true", () => {
    expect(dataProtection({ protectData: true })).toEqual({
      cluster: true,
      topics: true,
      crds: true,
      clusterNamespace: true,
    });
  });
  it("lifts every protection when protectData is false", () => {
    expect(Object.values(dataProtection({ protectData: false }))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("planManifestGroups", () => {
  it("sorts kinds into tiers by kind alone", () => {
    expect(tierOf(obj(S, "Kafka", "k"))).toBe("cluster");
    expect(tierOf(obj(S, "KafkaNodePool", "p"))).toBe("cluster");
    expect(tierOf(obj(S, "KafkaTopic", "t"))).toBe("topics");
    expect(tierOf(obj(S, "KafkaUser", "u"))).toBe("dependents");
    expect(tierOf(obj(S, "KafkaMirrorMaker2", "m"))).toBe("dependents");
    expect(tierOf(obj("v1", "ConfigMap", "c"))).toBe("prerequisites");
    expect(tierOf(obj("policy/v1", "PodDisruptionBudget", "p"))).toBe("prerequisites");
    expect(tierOf(obj("apps/v1", "Deployment", "d"))).toBe("dependents");
  });

  it("plans groups in apply order with their predecessors, protecting only data", () => {
    const plan = planManifestGroups(charts, dataProtection({ protectData: true }));
    expect(plan.map((g) => [g.name, g.protect, g.needsOperator])).toEqual([
      ["cluster-prerequisites", false, false],
      ["extras-prerequisites", false, false],
      ["cluster-cluster", true, true],
      ["topics-topics", true, true],
      ["extras-dependents", false, true],
    ]);
    const after = Object.fromEntries(plan.map((g) => [g.name, g.after]));
    expect(after["cluster-cluster"]).toEqual(["cluster-prerequisites", "extras-prerequisites"]);
    expect(after["topics-topics"]).toContain("cluster-cluster");
    expect(after["extras-dependents"]).toContain("cluster-cluster");
    expect(after["extras-dependents"]).toContain("topics-topics");
    expect(after["cluster-prerequisites"]).toEqual([]);
  });

  it("keeps every rendered object exactly once and unchanged", () => {
    const plan = planManifestGroups(charts, dataProtection({ protectData: false }));
    const planned = plan.flatMap((g) => g.objects);
    expect(planned).toHaveLength(charts.flatMap((c) => c.objects).length);
    for (const o of charts.flatMap((c) => c.objects)) expect(planned).toContain(o);
  });

  it("never moves an object between groups when protection is toggled", () => {
    const on = planManifestGroups(charts, dataProtection({ protectData: true }));
    const off = planManifestGroups(charts, dataProtection({ protectData: false }));
    expect(off.map((g) => [g.name, g.objects])).toEqual(on.map((g) => [g.name, g.objects]));
    expect(off.every((g) => !g.protect)).toBe(true);
  });
});

describe("strimziOperatorValues", () => {
  it("watches the cluster namespace only, never its own twice", () => {
    expect(
      strimziOperatorValues({ namespace: "strimzi-system", watchNamespaces: ["kafka"] }),
    ).toEqual({
      watchAnyNamespace: false,
      watchNamespaces: ["kafka"],
    });
    expect(
      strimziOperatorValues({ namespace: "kafka", watchNamespaces: ["kafka", "kafka"] })
        .watchNamespaces,
    ).toEqual([]);
  });
});

describe("kafkaAclSpecs", () => {
  it("spells the derived rules in @pulumi/kafka's vocabulary, one operation each", () => {
    const specs = kafkaAclSpecs([
      {
        service: "svc",
        namespace: "svc",
        username: "svc",
        acls: [
          {
            resource: { type: "topic", name: "chat.messages.", patternType: "prefix" },
            operations: ["Describe", "Read"],
          },
          {
            resource: { type: "transactionalId", name: "svc.tx.", patternType: "prefix" },
            operations: ["Write"],
          },
          {
            resource: { type: "group", name: "svc", patternType: "literal" },
            operations: ["Read"],
          },
        ],
      },
    ]);
    expect(
      specs.map((s) => [s.principal, s.resourceType, s.resourceName, s.patternType, s.operation]),
    ).toEqual([
      ["User:svc", "Topic", "chat.messages.", "Prefixed", "Describe"],
      ["User:svc", "Topic", "chat.messages.", "Prefixed", "Read"],
      ["User:svc", "TransactionalID", "svc.tx.", "Prefixed", "Write"],
      ["User:svc", "Group", "svc", "Literal", "Read"],
    ]);
  });

  it("gives every ACL of the real matrix a unique resource name", () => {
    const names = kafkaAclSpecs(deriveAllAccess()).map(kafkaAclResourceName);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("stack config as Pulumi passes it", () => {
  it("decodes JSON values and keeps plain strings", () => {
    expect(decodeConfigValue("dev")).toBe("dev");
    expect(decodeConfigValue("false")).toBe(false);
    expect(decodeConfigValue('{"a":[1]}')).toEqual({ a: [1] });
  });
  it("keeps secrets and other projects' keys out of the schema values", () => {
    const split = splitProjectConfig({
      "kafka-platform:environment": "dev",
      "kafka-platform:kubeconfig": "secret",
      "kafka-platform:kafkaProviderAdminPassword": "secret",
      "kubernetes:context": "other",
    });
    expect(split.values).toEqual({ environment: "dev" });
    expect(split.secretKeysSet).toEqual(["kafkaProviderAdminPassword", "kubeconfig"]);
  });
});

describe("stack outputs", () => {
  it("names the bootstrap Services Strimzi creates for in-cluster listeners", () => {
    const kafka = obj(S, "Kafka", "chat-kafka", {
      spec: {
        kafka: {
          listeners: [
            { name: "tls", port: 9093, type: "internal", tls: true },
            { name: "replica", port: 9095, type: "cluster-ip", tls: true },
            { name: "external", port: 9094, type: "loadbalancer", tls: true },
          ],
        },
      },
    });
    expect(strimziBootstrapAddresses([{ name: "c", objects: [kafka] }])).toEqual({
      tls: "chat-kafka-kafka-bootstrap.kafka.svc:9093",
      replica: "chat-kafka-kafka-replica-bootstrap.kafka.svc:9095",
    });
  });
  it("maps each service to its KafkaUser-named Secret", () => {
    expect(credentialSecretNames({ access: deriveAllAccess() })["message-processor"]).toBe(
      "message-processor",
    );
  });
  it("identifies the cluster by environment and region", () => {
    expect(clusterIdentifier({ environment: "prod", region: "eu-west-1" })).toBe("prod-eu-west-1");
  });
});
