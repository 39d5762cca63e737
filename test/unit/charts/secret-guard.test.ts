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

  it("finds a literal secret in a container's environment, named like one, but not a reference or a port", () => {
    const deployment = (env: readonly Record<string, unknown>[]): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "registry" },
      spec: { template: { spec: { containers: [{ name: "app", env }] } } },
    });
    expect(
      findSecretMaterial([
        deployment([
          { name: "QUARKUS_HTTP_PORT", value: "8080" },
          { name: "REGISTRY_PASSWORD", value: "hunter2" },
          {
            name: "APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG",
            valueFrom: { secretKeyRef: { name: "kafka-schema-registry", key: "sasl.jaas.config" } },
          },
          { name: "APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG", value: "ScramLoginModule required;" },
          { name: "GITHUB_TOKEN", value: "ghp_x" },
          {
            name: "KAFKA_SASL_JAAS_CONFIG",
            value:
              'ScramLoginModule required username="$(KAFKA_USERNAME)" password="$(KAFKA_PASSWORD)";',
          },
          { name: "ADMIN_PASSWORD", value: "$(KAFKA_PASSWORD)" },
          {
            name: "OTHER_SASL_JAAS_CONFIG",
            value: 'ScramLoginModule required username="u" password="hunter2";',
          },
          { name: "PAYMENTS_API_KEY", value: "k" },
        ]),
      ]),
    ).toEqual([
      "Deployment/registry: $.spec.template.spec.containers[0].env[1](REGISTRY_PASSWORD)",
      "Deployment/registry: $.spec.template.spec.containers[0].env[3](APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG)",
      "Deployment/registry: $.spec.template.spec.containers[0].env[4](GITHUB_TOKEN)",
      "Deployment/registry: $.spec.template.spec.containers[0].env[7](OTHER_SASL_JAAS_CONFIG)",
      "Deployment/registry: $.spec.template.spec.containers[0].env[8](PAYMENTS_API_KEY)",
    ]);
  });

  it("finds secret-named keys with underscores or dashes, as in a ConfigMap of settings", () => {
    expect(
      findSecretMaterial([
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "settings" },
          data: { KAFKA_PASSWORD: "hunter2", "client-secret": "s", secretName: "kafka-x" },
        },
      ]),
    ).toEqual([
      "ConfigMap/settings: $.data.KAFKA_PASSWORD",
      "ConfigMap/settings: $.data.client-secret",
    ]);
  });
});
