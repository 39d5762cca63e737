import { ApiObject } from "cdk8s";
import { ConfigMap } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { MirrorAclRule } from "../acl/mirror-maker.ts";
import { KafkaConnect, KafkaUser, type KafkaUserSpec } from "./imports/kafka.strimzi.io.ts";
import { platformLabels, strimziLabels } from "./labels.ts";
import { CLIENT_LISTENER_PORT } from "./listeners.ts";
import { HEARTBEAT_CONNECTOR_CLASS, type HeartbeatPlan } from "./mirror-maker-plan.ts";
import { mirrorMakerJmxExporterConfigYaml } from "./mirror-maker-metrics.ts";
import type { PlatformModel } from "./model.ts";

/**
 * The heartbeat emitter of a region that serves a peer (decision 0015), rendered from the
 * MirrorPlan's `heartbeats`:
 * - KafkaUser `mirror-heartbeats` (SCRAM-SHA-512, the ACLs of acl/mirror-maker.ts
 *   heartbeatConnectAcls, a quota);
 * - KafkaConnect `<cluster>-mirror-heartbeats` (v1: one worker, TLS + SCRAM to the local
 *   cluster's client listener, storage topics with RF 3, `strimzi.io/use-connector-resources`
 *   so the operator manages connectors from KafkaConnector resources), and its metrics ConfigMap
 *   (the MirrorMaker exporter rules: Connect's connector status and failed tasks);
 * - one KafkaConnector per peer running MirrorHeartbeatConnector.
 *
 * Strimzi 1.x removed `heartbeatConnector` from KafkaMirrorMaker2 (strimzi PR 12499); its
 * CHANGELOG points to a KafkaConnect with a KafkaConnector instead. KafkaConnector's CRD is
 * not among ../shared/schemas/strimzi; charts/crd-schema-validator.ts reads it by path from
 * ../shared/strimzi-helm-chart/crds/047-Crd-kafkaconnector.yaml.
 */

export const KAFKA_CONNECTOR_API_VERSION = "kafka.strimzi.io/v1";
export const USE_CONNECTOR_RESOURCES = "strimzi.io/use-connector-resources";
export const HEARTBEAT_METRICS_KEY = "mirror-heartbeats-metrics.yml";

/**
 * Strimzi's KafkaConnect Secret of trusted certificates (KafkaConnectResources
 * .internalTlsTrustedCertsSecretName): the operator copies `spec.tls.trustedCertificates` into
 * it under `ca.crt`, and the Connect pods' Role may read it.
 */
export function connectTrustedCertsSecret(connect: string): string {
  return `${connect}-connect-tls-trusted-certs`;
}

/**
 * Strimzi's Kubernetes Secret config provider, configured in every KafkaConnect as
 * `strimzisecrets` (KafkaConnectConfigurationBuilder): `${strimzisecrets:<ns>/<secret>:<key>}`
 * resolves in the worker, so no credential appears in the KafkaConnector.
 */
function secretRef(namespace: string, secret: string, key: string): string {
  return `\${strimzisecrets:${namespace}/${secret}:${key}}`;
}

function strimziAcls(rules: readonly MirrorAclRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({
    type: "allow",
    resource: { type: r.resource.type, name: r.resource.name, patternType: r.resource.patternType },
    operations: [...r.operations],
  }));
}

export function addHeartbeatEmitter(
  scope: Construct,
  model: PlatformModel,
  plan: HeartbeatPlan,
  userLabel: { key: string; value: string },
): void {
  const { config } = model;
  const namespace = config.kubernetes.namespace;
  const cluster = config.cluster.name;
  const bootstrap = `${cluster}-kafka-bootstrap:${CLIENT_LISTENER_PORT}`;
  const scram = { type: "scram-sha-512" };
  new KafkaUser(scope, `user-${plan.user}`, {
    metadata: {
      name: plan.user,
      labels: { ...strimziLabels(model), [userLabel.key]: userLabel.value },
    },
    spec: {
      authentication: scram,
      authorization: { type: "simple", acls: strimziAcls(plan.acls) },
      quotas: { ...plan.quotas },
    } as unknown as KafkaUserSpec,
  });
  const metricsName = `${plan.connect}-metrics`;
  new ConfigMap(scope, "mirror-heartbeats-metrics", {
    metadata: { name: metricsName, labels: platformLabels(model) },
    data: { [HEARTBEAT_METRICS_KEY]: mirrorMakerJmxExporterConfigYaml() },
  });
  new ApiObject(scope, "mirror-heartbeats-connect", {
    apiVersion: KafkaConnect.GVK.apiVersion,
    kind: KafkaConnect.GVK.kind,
    metadata: {
      name: plan.connect,
      labels: platformLabels(model),
      annotations: { [USE_CONNECTOR_RESOURCES]: "true" },
    },
    spec: {
      version: config.cluster.kafkaVersion,
      replicas: plan.replicas,
      bootstrapServers: bootstrap,
      groupId: plan.workerGroup,
      configStorageTopic: plan.storage.configs,
      offsetStorageTopic: plan.storage.offsets,
      statusStorageTopic: plan.storage.status,
      tls: {
        trustedCertificates: [{ secretName: `${cluster}-cluster-ca-cert`, pattern: "*.crt" }],
      },
      authentication: {
        ...scram,
        username: plan.user,
        passwordSecret: { secretName: plan.user, password: "password" },
      },
      config: { ...plan.worker },
      resources: {
        requests: { cpu: "100m", memory: "512Mi" },
        limits: { memory: "512Mi" },
      },
      jvmOptions: { "-Xms": "256m", "-Xmx": "256m" },
      metricsConfig: {
        type: "jmxPrometheusExporter",
        valueFrom: { configMapKeyRef: { name: metricsName, key: HEARTBEAT_METRICS_KEY } },
      },
    },
  });
  for (const c of plan.connectors) {
    new ApiObject(scope, `connector-${c.name}`, {
      apiVersion: KAFKA_CONNECTOR_API_VERSION,
      kind: "KafkaConnector",
      metadata: {
        name: c.name,
        labels: { ...platformLabels(model), "strimzi.io/cluster": plan.connect },
      },
      spec: {
        class: HEARTBEAT_CONNECTOR_CLASS,
        tasksMax: 1,
        autoRestart: { enabled: true },
        config: {
          ...c.config,
          // MirrorHeartbeatConnector creates `heartbeats` with its own admin client, built from
          // the `target.cluster.` settings (MirrorConnectorConfig.targetAdminConfig); the task's
          // records go through the worker's producer to the same cluster.
          "target.cluster.bootstrap.servers": bootstrap,
          "target.cluster.security.protocol": "SASL_SSL",
          "target.cluster.sasl.mechanism": "SCRAM-SHA-512",
          "target.cluster.sasl.jaas.config": secretRef(namespace, plan.user, "sasl.jaas.config"),
          "target.cluster.ssl.truststore.type": "PEM",
          "target.cluster.ssl.truststore.certificates": secretRef(
            namespace,
            connectTrustedCertsSecret(plan.connect),
            "ca.crt",
          ),
        },
      },
    });
  }
}
