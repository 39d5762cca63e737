import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { addKafka } from "./kafka-resource.ts";
import { addMetricsConfigMap } from "./metrics-config-map.ts";
import { addNetworkPolicies } from "./network-policies.ts";
import { addNodePools } from "./node-pools.ts";
import type { PlatformModel } from "./model.ts";

export const KAFKA_CLUSTER_CHART = "kafka-cluster";

/** The cluster itself: Kafka, its two node pools, the metrics ConfigMap and NetworkPolicies. */
export class KafkaClusterChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, KAFKA_CLUSTER_CHART, { namespace: model.config.kubernetes.namespace });
    addKafka(this, model);
    addNodePools(this, model);
    addMetricsConfigMap(this, model);
    addNetworkPolicies(this, model);
  }
}
