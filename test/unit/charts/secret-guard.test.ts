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

  it("finds prefixed client settings (a connector's target.cluster.*) unless they are config-provider references", () => {
    const connector = (config: Record<string, unknown>): K8sObject => ({
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaConnector",
      metadata: { name: "c" },
      spec: { config },
    });
    expect(
      findSecretMaterial([
        connector({
          "target.cluster.sasl.jaas.config":
            'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="hunter2";',
          "source.cluster.ssl.keystore.password": "hunter2",
        }),
        connector({
          "target.cluster.sasl.jaas.config": "${strimzisecrets:kafka/u:sasl.jaas.config}",
          "target.cluster.ssl.truststore.certificates": "${strimzisecrets:kafka/c-tls:ca.crt}",
        }),
      ]),
    ).toEqual([
      "KafkaConnector/c: $.spec.config.target.cluster.sasl.jaas.config",
      "KafkaConnector/c: $.spec.config.source.cluster.ssl.keystore.password",
    ]);
  });
});
