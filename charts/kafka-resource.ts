import type { Construct } from "constructs";
import { PLATFORM_ADMIN_USER } from "../acl/services.ts";
import {
  Kafka,
  KafkaSpecCruiseControlResourcesLimits,
  KafkaSpecCruiseControlResourcesRequests,
  KafkaSpecEntityOperatorTopicOperatorResourcesLimits,
  KafkaSpecEntityOperatorTopicOperatorResourcesRequests,
  KafkaSpecEntityOperatorUserOperatorResourcesLimits,
  KafkaSpecEntityOperatorUserOperatorResourcesRequests,
  KafkaSpecKafkaExporterResourcesLimits,
  KafkaSpecKafkaExporterResourcesRequests,
  KafkaSpecKafkaAuthorizationType,
  KafkaSpecKafkaMetricsConfigType,
  KafkaSpecKafkaRackType,
} from "./imports/kafka.strimzi.io.ts";
import { brokerConfig } from "./broker-config.ts";
import { platformLabels } from "./labels.ts";
import { brokerNodeIds, clientListener, replicationListener } from "./listeners.ts";
import { KAFKA_METRICS_CONFIGMAP_KEY, kafkaMetricsConfigMapName } from "./monitoring/index.ts";
import type { PlatformModel } from "./model.ts";

interface ComponentResources {
  readonly requests: Readonly<Record<"cpu" | "memory", string>>;
  readonly limits: Readonly<Record<"memory", string>>;
}

function resources<R, L>(
  r: ComponentResources,
  request: (v: string) => R,
  limit: (v: string) => L,
): { requests: Record<string, R>; limits: Record<string, L> } {
  return {
    requests: { cpu: request(r.requests.cpu), memory: request(r.requests.memory) },
    limits: { memory: limit(r.limits.memory) },
  };
}

/**
 * Requests (and memory limits) of the components around the brokers, so the scheduler reserves
 * room for them and a leak is killed instead of starving the node. Sized from Strimzi's
 * examples and the operators' footprint with this catalog's few hundred topics and users.
 */
export const COMPONENT_RESOURCES: Readonly<
  Record<"topicOperator" | "userOperator" | "cruiseControl" | "kafkaExporter", ComponentResources>
> = {
  topicOperator: { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "512Mi" } },
  userOperator: { requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "512Mi" } },
  cruiseControl: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  kafkaExporter: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
};

/**
 * The kubernetes provider's await annotations on the Kafka resource: `pulumi up` holds the
 * resource (and what depends on it: the services' credential Secrets copy the cluster CA that
 * the Cluster Operator writes) until Strimzi reports the cluster `Ready`, instead of racing the
 * operator on a new cluster. Thirty minutes covers a first start and a rolling update of three
 * brokers and three controllers. Left out where no operator pod can run (`operator.awaitReady:
 * false`, the local control plane).
 */
export const KAFKA_READY_AWAIT_ANNOTATIONS: Readonly<Record<string, string>> = {
  "pulumi.com/waitFor": "condition=Ready",
  "pulumi.com/timeoutSeconds": "1800",
};

/**
 * The Kafka resource (kafka.strimzi.io/v1, KRaft): replicas and storage live in the node
 * pools, so this holds the listener, security, broker config and the operators around it.
 */
export function addKafka(scope: Construct, model: PlatformModel): Kafka {
  const { cluster } = model.config;
  return new Kafka(scope, "kafka", {
    metadata: {
      name: cluster.name,
      labels: platformLabels(model),
      ...(model.config.operator.awaitReady === false
        ? {}
        : { annotations: KAFKA_READY_AWAIT_ANNOTATIONS }),
    },
    spec: {
      kafka: {
        version: cluster.kafkaVersion,
        metadataVersion: cluster.metadataVersion,
        listeners: [
          clientListener(model),
          // The peer regions' MirrorMaker connects here (decision 0013); only where the stack mirrors.
          ...[replicationListener(model, brokerNodeIds(model))].filter((l) => l !== undefined),
        ],
        authorization: {
          type: KafkaSpecKafkaAuthorizationType.SIMPLE,
          superUsers: [PLATFORM_ADMIN_USER],
        },
        config: brokerConfig(),
        rack: {
          type: KafkaSpecKafkaRackType.TOPOLOGY_HYPHEN_LABEL,
          topologyKey: cluster.rackTopologyKey,
        },
        metricsConfig: {
          type: KafkaSpecKafkaMetricsConfigType.JMX_PROMETHEUS_EXPORTER,
          valueFrom: {
            configMapKeyRef: {
              name: kafkaMetricsConfigMapName(cluster.name),
              key: KAFKA_METRICS_CONFIGMAP_KEY,
            },
          },
        },
        template: {
          podDisruptionBudget: { maxUnavailable: cluster.maxUnavailable },
        },
      },
      // Certificate renewal rolls pods only inside these windows (docs/stack-config.md).
      ...(cluster.maintenanceTimeWindows !== undefined && cluster.maintenanceTimeWindows.length > 0
        ? { maintenanceTimeWindows: [...cluster.maintenanceTimeWindows] }
        : {}),
      entityOperator: {
        topicOperator: {
          resources: resources(
            COMPONENT_RESOURCES.topicOperator,
            (v) => KafkaSpecEntityOperatorTopicOperatorResourcesRequests.fromString(v),
            (v) => KafkaSpecEntityOperatorTopicOperatorResourcesLimits.fromString(v),
          ),
        },
        userOperator: {
          resources: resources(
            COMPONENT_RESOURCES.userOperator,
            (v) => KafkaSpecEntityOperatorUserOperatorResourcesRequests.fromString(v),
            (v) => KafkaSpecEntityOperatorUserOperatorResourcesLimits.fromString(v),
          ),
        },
      },
      ...(cluster.cruiseControl
        ? {
            cruiseControl: {
              resources: resources(
                COMPONENT_RESOURCES.cruiseControl,
                (v) => KafkaSpecCruiseControlResourcesRequests.fromString(v),
                (v) => KafkaSpecCruiseControlResourcesLimits.fromString(v),
              ),
            },
          }
        : {}),
      kafkaExporter: {
        topicRegex: ".*",
        groupRegex: ".*",
        resources: resources(
          COMPONENT_RESOURCES.kafkaExporter,
          (v) => KafkaSpecKafkaExporterResourcesRequests.fromString(v),
          (v) => KafkaSpecKafkaExporterResourcesLimits.fromString(v),
        ),
      },
    },
  });
}
