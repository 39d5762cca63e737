import type { Construct } from "constructs";
import { PLATFORM_ADMIN_USER } from "../acl/services.ts";
import {
  Kafka,
  KafkaSpecKafkaAuthorizationType,
  KafkaSpecKafkaMetricsConfigType,
  KafkaSpecKafkaRackType,
} from "./imports/kafka.strimzi.io.ts";
import { brokerConfig } from "./broker-config.ts";
import { platformLabels } from "./labels.ts";
import { clientListener } from "./listeners.ts";
import { KAFKA_METRICS_CONFIGMAP_KEY, kafkaMetricsConfigMapName } from "./monitoring/index.ts";
import type { PlatformModel } from "./model.ts";

/**
 * The Kafka resource (kafka.strimzi.io/v1, KRaft): replicas and storage live in the node
 * pools, so this holds the listener, security, broker config and the operators around it.
 */
export function addKafka(scope: Construct, model: PlatformModel): Kafka {
  const { cluster } = model.config;
  return new Kafka(scope, "kafka", {
    metadata: { name: cluster.name, labels: platformLabels(model) },
    spec: {
      kafka: {
        version: cluster.kafkaVersion,
        metadataVersion: cluster.metadataVersion,
        listeners: [clientListener(model)],
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
      entityOperator: { topicOperator: {}, userOperator: {} },
      ...(cluster.cruiseControl ? { cruiseControl: {} } : {}),
      kafkaExporter: { topicRegex: ".*", groupRegex: ".*" },
    },
  });
}
