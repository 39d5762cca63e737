import type { Construct } from "constructs";
import { ConfigMap } from "cdk8s-plus-27";
import { platformLabels } from "./labels.ts";
import {
  KAFKA_METRICS_CONFIGMAP_KEY,
  kafkaJmxExporterConfigYaml,
  kafkaMetricsConfigMapName,
} from "./monitoring/index.ts";
import type { PlatformModel } from "./model.ts";

/** The ConfigMap with the JMX exporter rules the Kafka resource's metricsConfig points at. */
export function addMetricsConfigMap(scope: Construct, model: PlatformModel): ConfigMap {
  return new ConfigMap(scope, "metrics-config-map", {
    metadata: {
      name: kafkaMetricsConfigMapName(model.config.cluster.name),
      labels: platformLabels(model),
    },
    data: { [KAFKA_METRICS_CONFIGMAP_KEY]: kafkaJmxExporterConfigYaml() },
  });
}
