import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { StackConfig } from "../infra/config/schema.ts";
import { SERVICE_CREDENTIALS_KEYS, serviceCredentialsSecretName } from "../acl/credentials.ts";
import {
  SCHEMA_REGISTRY_GROUP_PREFIX,
  SCHEMA_REGISTRY_USER,
  schemaRegistryTopics,
} from "../acl/schema-registry.ts";
import { PodMonitor } from "./imports/monitoring.coreos.com.ts";
import { podAwaitAnnotations } from "./await-annotations.ts";
import { platformLabels } from "./labels.ts";
import { clientNamespaceSelector } from "./listeners.ts";
import { schemaRegistryNamespace, type PlatformModel } from "./model.ts";

export const SCHEMA_REGISTRY_CHART = "schema-registry";
export const SCHEMA_REGISTRY_NAME = "schema-registry";
/** The registry's HTTP API (ccompat at /apis/ccompat/v7): what clients reach. */
export const SCHEMA_REGISTRY_HTTP_PORT = 8080;
/** Quarkus's management interface: /metrics and /health, for Prometheus and the kubelet only. */
export const SCHEMA_REGISTRY_MANAGEMENT_PORT = 9000;
export const SCHEMA_REGISTRY_DEFAULT_IMAGE = "quay.io/apicurio/apicurio-registry";
const CA_MOUNT = "/etc/kafka-platform";

const DEFAULT_RESOURCES: NonNullable<StackConfig["schemaRegistry"]["resources"]> = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "1Gi" },
};

/** The in-cluster address services reach the registry's Confluent-compatible API at. */
export function schemaRegistryUrl(model: PlatformModel): string {
  return `http://${SCHEMA_REGISTRY_NAME}.${schemaRegistryNamespace(model.config)}.svc:${SCHEMA_REGISTRY_HTTP_PORT}/apis/ccompat/v7`;
}

/**
 * Apicurio's KafkaSQL settings that hold no secret, shared by the chart and the local registry
 * (local/registry.ts): storage in the catalog's component topics (created from the catalog,
 * never by the registry), its group family, and the Kafka client's TLS + SCRAM through the
 * `APICURIO_KAFKA_COMMON_*` pass-through (Apicurio's own SASL switch builds only OAUTHBEARER).
 */
export function apicurioKafkaSqlSettings(): Record<string, string> {
  const { journal, snapshots, events } = schemaRegistryTopics();
  return {
    APICURIO_STORAGE_KIND: "kafkasql",
    APICURIO_KAFKASQL_TOPIC: journal,
    APICURIO_KAFKASQL_SNAPSHOTS_TOPIC: snapshots,
    APICURIO_EVENTS_KAFKA_TOPIC: events,
    APICURIO_KAFKASQL_TOPIC_AUTO_CREATE: "false",
    APICURIO_KAFKASQL_CONSUMER_GROUP_PREFIX: SCHEMA_REGISTRY_GROUP_PREFIX,
    APICURIO_KAFKA_COMMON_SECURITY_PROTOCOL: "SASL_SSL",
    APICURIO_KAFKA_COMMON_SASL_MECHANISM: "SCRAM-SHA-512",
    APICURIO_KAFKA_COMMON_SSL_TRUSTSTORE_TYPE: "PEM",
  };
}

/** The JAAS line of a SCRAM login; the chart passes `$(VAR)` references, never values. */
export function scramJaasConfig(username: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

/**
 * The container's environment: the shared settings, the bootstrap address and credentials from
 * Secret `kafka-schema-registry` (delivered like a service's, decision 0006), and the JAAS line
 * assembled by the kubelet from two secret-sourced variables, so no value is rendered.
 */
export function schemaRegistryEnv(): k8s.EnvVar[] {
  const secret = serviceCredentialsSecretName(SCHEMA_REGISTRY_USER);
  const fromSecret = (name: string, key: string): k8s.EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  return [
    ...Object.entries(apicurioKafkaSqlSettings()).map(([name, value]) => ({ name, value })),
    fromSecret("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS", SERVICE_CREDENTIALS_KEYS.bootstrapServers),
    fromSecret("KAFKA_USERNAME", SERVICE_CREDENTIALS_KEYS.username),
    fromSecret("KAFKA_PASSWORD", SERVICE_CREDENTIALS_KEYS.password),
    {
      name: "APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG",
      value: scramJaasConfig("$(KAFKA_USERNAME)", "$(KAFKA_PASSWORD)"),
    },
    {
      name: "APICURIO_KAFKA_COMMON_SSL_TRUSTSTORE_LOCATION",
      value: `${CA_MOUNT}/${SERVICE_CREDENTIALS_KEYS.caCertificate}`,
    },
    { name: "QUARKUS_HTTP_PORT", value: String(SCHEMA_REGISTRY_HTTP_PORT) },
    { name: "QUARKUS_MANAGEMENT_PORT", value: String(SCHEMA_REGISTRY_MANAGEMENT_PORT) },
  ];
}

/**
 * The Schema Registry of a stack (docs/schema-registry.md): Apicurio Registry with KafkaSQL
 * storage in its own namespace, which is labelled as a client namespace so the brokers admit
 * it. A Deployment (replicas, resources and image version from the stack), its Service, a
 * PodDisruptionBudget, a NetworkPolicy admitting only client namespaces to the API and
 * Prometheus's namespace to the management port, and a PodMonitor when monitoring is on.
 */
export class SchemaRegistryChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    const namespace = schemaRegistryNamespace(model.config);
    super(scope, SCHEMA_REGISTRY_CHART, { namespace });
    const cfg = model.config.schemaRegistry;
    const selector = {
      "app.kubernetes.io/name": SCHEMA_REGISTRY_NAME,
      "app.kubernetes.io/instance": `${model.config.cluster.name}-${SCHEMA_REGISTRY_NAME}`,
    };
    const labels = { ...platformLabels(model), ...selector };
    const image = `${cfg.image?.repository ?? SCHEMA_REGISTRY_DEFAULT_IMAGE}:${cfg.image?.version ?? "3.3.3"}`;
    const resources = cfg.resources ?? DEFAULT_RESOURCES;
    const probe = (path: string, initialDelaySeconds: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString("management") },
      initialDelaySeconds,
      periodSeconds: 10,
      failureThreshold: 6,
    });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name: SCHEMA_REGISTRY_NAME, labels, ...podAwaitAnnotations(model) },
      spec: {
        replicas: cfg.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "registry",
                image,
                ports: [
                  { name: "http", containerPort: SCHEMA_REGISTRY_HTTP_PORT },
                  { name: "management", containerPort: SCHEMA_REGISTRY_MANAGEMENT_PORT },
                ],
                env: schemaRegistryEnv(),
                resources: {
                  requests: {
                    cpu: k8s.Quantity.fromString(resources.requests.cpu),
                    memory: k8s.Quantity.fromString(resources.requests.memory),
                  },
                  limits: {
                    ...(resources.limits.cpu !== undefined
                      ? { cpu: k8s.Quantity.fromString(resources.limits.cpu) }
                      : {}),
                    memory: k8s.Quantity.fromString(resources.limits.memory),
                  },
                },
                // KafkaSQL replays the journal before the API answers: ready only after that.
                startupProbe: { ...probe("/health/started", 5), failureThreshold: 30 },
                readinessProbe: probe("/health/ready", 0),
                livenessProbe: probe("/health/live", 0),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "kafka-ca", mountPath: CA_MOUNT, readOnly: true }],
              },
            ],
            volumes: [
              {
                name: "kafka-ca",
                secret: {
                  secretName: serviceCredentialsSecretName(SCHEMA_REGISTRY_USER),
                  items: [
                    {
                      key: SERVICE_CREDENTIALS_KEYS.caCertificate,
                      path: SERVICE_CREDENTIALS_KEYS.caCertificate,
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, "service", {
      metadata: { name: SCHEMA_REGISTRY_NAME, labels, ...podAwaitAnnotations(model) },
      spec: {
        selector,
        ports: [
          {
            name: "http",
            port: SCHEMA_REGISTRY_HTTP_PORT,
            targetPort: k8s.IntOrString.fromString("http"),
          },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: { name: SCHEMA_REGISTRY_NAME, labels },
      // One replica: a drain may take it (the client caches ids); more: keep all but one up.
      spec: {
        selector: { matchLabels: selector },
        maxUnavailable: k8s.IntOrString.fromNumber(1),
      },
    });

    new k8s.KubeNetworkPolicy(this, "network-policy", {
      metadata: { name: SCHEMA_REGISTRY_NAME, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: clientNamespaceSelector(model) } }],
            ports: [
              { protocol: "TCP", port: k8s.IntOrString.fromNumber(SCHEMA_REGISTRY_HTTP_PORT) },
            ],
          },
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: {
                    "kubernetes.io/metadata.name": model.config.monitoring.prometheusNamespace,
                  },
                },
              },
            ],
            ports: [
              {
                protocol: "TCP",
                port: k8s.IntOrString.fromNumber(SCHEMA_REGISTRY_MANAGEMENT_PORT),
              },
            ],
          },
        ],
      },
    });

    if (model.config.monitoring.enabled) {
      new PodMonitor(this, "pod-monitor", {
        metadata: {
          name: SCHEMA_REGISTRY_NAME,
          labels: { ...platformLabels(model), ...model.config.monitoring.prometheusSelector },
        },
        spec: {
          selector: { matchLabels: selector },
          namespaceSelector: { matchNames: [namespace] },
          podMetricsEndpoints: [{ port: "management", path: "/metrics", interval: "30s" }],
        },
      });
    }
  }
}
