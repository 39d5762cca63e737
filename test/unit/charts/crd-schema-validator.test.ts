import { describe, expect, it } from "vitest";
import {
  assertValid,
  caseInsensitivePattern,
  knownCrdKinds,
  validateObject,
  validationErrors,
} from "../../../charts/crd-schema-validator.ts";

const topic = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaTopic",
  metadata: { name: "chat.events", namespace: "kafka", labels: { "strimzi.io/cluster": "c" } },
  spec,
});

const rule = (strategy: string): Record<string, unknown> => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "r", namespace: "kafka" },
  spec: { groups: [{ name: "g", partial_response_strategy: strategy, rules: [] }] },
});

describe("crd-schema-validator", () => {
  it("reads every Strimzi and prometheus-operator CRD from ../shared/schemas", () => {
    expect(knownCrdKinds()).toEqual(
      expect.arrayContaining([
        "kafka.strimzi.io/Kafka",
        "kafka.strimzi.io/KafkaNodePool",
        "kafka.strimzi.io/KafkaTopic",
        "kafka.strimzi.io/KafkaUser",
        "monitoring.coreos.com/PodMonitor",
        "monitoring.coreos.com/PrometheusRule",
      ]),
    );
  });

  it("accepts a valid object", () => {
    const r = validateObject(topic({ partitions: 3, replicas: 3, config: { "retention.ms": 1 } }));
    expect(r).toEqual({
      status: "valid",
      ref: "KafkaTopic/kafka/chat.events",
      valid: true,
      errors: [],
    });
  });

  it("names the object and the JSON path of each failure", () => {
    const r = validateObject(topic({ partitions: "3", replicas: 3, bogus: true }));
    expect(r.status).toBe("invalid");
    expect(r.errors).toEqual([
      "KafkaTopic/kafka/chat.events: $.spec.bogus: unknown field (not in the CRD schema)",
      "KafkaTopic/kafka/chat.events: $.spec.partitions: must be integer",
    ]);
  });

  it("reports missing required fields and enum values with the allowed values", () => {
    const user = {
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaUser",
      metadata: { name: "u", namespace: "kafka" },
      spec: {
        authentication: { type: "scram-sha-256" },
        authorization: {
          type: "simple",
          acls: [{ resource: { type: "topic", name: "t" }, operation: "Read" }],
        },
      },
    };
    const errors = validateObject(user).errors.join("\n");
    expect(errors).toContain("$.spec.authentication.type: must be one of");
    expect(errors).toContain('"scram-sha-512"');
    expect(errors).toContain("$.spec.authorization.acls[0].operation: unknown field");
    expect(errors).toContain("$.spec.authorization.acls[0].operations: is required");
  });

  it("rejects an apiVersion the CRD does not serve, naming the served ones", () => {
    const r = validateObject({
      ...topic({ partitions: 1 }),
      apiVersion: "kafka.strimzi.io/v1beta2",
    });
    expect(r.errors).toEqual([
      "KafkaTopic/kafka/chat.events: $.apiVersion: kafka.strimzi.io/v1beta2 is not served by the CRD (allowed: kafka.strimzi.io/v1)",
    ]);
  });

  it("rejects an unknown kind in a CRD group", () => {
    const r = validateObject({ ...topic({}), kind: "KafkaTopik" });
    expect(r.status).toBe("invalid");
    expect(r.errors[0]).toContain("group kafka.strimzi.io has no kind KafkaTopik");
  });

  it("accepts int-or-string quantities as numbers and strings, and rejects bad ones", () => {
    const pool = (cpu: unknown): Record<string, unknown> => ({
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaNodePool",
      metadata: { name: "brokers", namespace: "kafka", labels: { "strimzi.io/cluster": "c" } },
      spec: {
        replicas: 3,
        roles: ["broker"],
        storage: { type: "ephemeral" },
        resources: { requests: { cpu, memory: "1Gi" } },
      },
    });
    expect(validateObject(pool(2)).status).toBe("valid");
    expect(validateObject(pool("500m")).status).toBe("valid");
    const bad = validateObject(pool("half a core"));
    expect(bad.status).toBe("invalid");
    expect(bad.errors.join("\n")).toContain("$.spec.resources.requests.cpu");
  });

  it("compiles the Go-only (?i) pattern of the PrometheusRule CRD case-insensitively", () => {
    expect(validateObject(rule("ABORT")).status).toBe("valid");
    expect(validateObject(rule("warn")).status).toBe("valid");
    const bad = validateObject(rule("ignore"));
    expect(bad.errors.join("\n")).toContain("$.spec.groups[0].partial_response_strategy");
  });

  it("rewrites (?i) as letter classes, leaving escapes and classes intact", () => {
    expect(caseInsensitivePattern("^(?i)(abort|warn)?$")).toBe(
      "^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$",
    );
    expect(caseInsensitivePattern("(?i)\\d[a-c]x")).toBe("\\d[a-cA-C][xX]");
    expect(caseInsensitivePattern("^abc$")).toBe("^abc$");
  });

  it("reports core Kubernetes kinds as no-crd, explicitly, and still checks their metadata", () => {
    const cm = validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m" } });
    expect(cm).toMatchObject({ status: "no-crd", coreKubernetes: true, errors: [] });
    const np = validateObject({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "Bad_Name" },
    });
    expect(np).toMatchObject({ status: "no-crd", coreKubernetes: true });
    expect(np.errors[0]).toContain("$.metadata.name: must be a DNS subdomain");
    const other = validateObject({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
    });
    expect(other).toMatchObject({ status: "no-crd", coreKubernetes: false });
  });

  it("assertValid passes core kinds by default, fails unknown groups and invalid objects", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m" } };
    expect(() => assertValid([cm])).not.toThrow();
    expect(validationErrors([cm], { allowCoreKinds: false })[0]).toContain(
      "no CRD for v1 ConfigMap",
    );
    expect(() =>
      assertValid([{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }]),
    ).toThrow(/Widget\/w: no CRD for example.com\/v1 Widget/);
    expect(() => assertValid([topic({ partitions: 0 })])).toThrow(
      /1 object validation error:\n {2}- KafkaTopic\/kafka\/chat.events: \$\.spec\.partitions: must be >= 1/,
    );
  });
});
