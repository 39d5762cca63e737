import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../charts/index.ts";
import { findSecretMaterial } from "../../../charts/secret-guard.ts";

const user = (spec: Record<string, unknown>): K8sObject => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaUser",
  metadata: { name: "svc" },
  spec,
});

describe("findSecretMaterial", () => {
  it("accepts a reference to a Secret", () => {
    const ref = { password: { valueFrom: { secretKeyRef: { name: "svc-pw", key: "password" } } } };
    expect(
      findSecretMaterial([user({ authentication: { type: "scram-sha-512", ...ref } })]),
    ).toEqual([]);
  });

  it("finds a literal password, a JAAS config and a Secret object", () => {
    expect(
      findSecretMaterial([
        user({ authentication: { type: "scram-sha-512", password: "hunter2" } }),
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "client" },
          data: { "sasl.jaas.config": "org.apache.kafka...ScramLoginModule required;" },
        },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } },
      ]),
    ).toEqual([
      "KafkaUser/svc: $.spec.authentication.password",
      "ConfigMap/client: $.data.sasl.jaas.config",
      "Secret/s: is a Secret",
    ]);
  });
});
