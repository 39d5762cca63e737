import { App, type Chart } from "cdk8s";
import { KafkaClusterChart } from "./kafka-cluster-chart.ts";
import { KafkaTopicsChart } from "./kafka-topics-chart.ts";
import { KafkaUsersChart } from "./kafka-users-chart.ts";
import { MirrorMakerChart } from "./mirror-maker-chart.ts";
import { SchemaRegistryChart } from "./schema-registry-chart.ts";
import { StorageClassChart } from "./storage-class-chart.ts";
import { addMonitoringCharts } from "./monitoring/index.ts";
import type { PlatformModel } from "./model.ts";
import { sortObjects } from "./object-order.ts";

/** A Kubernetes object as rendered (plain JSON). */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** One chart's output; the render command writes each to dist/<stack>/<name>.yaml. */
export interface RenderedChart {
  readonly name: string;
  readonly objects: readonly K8sObject[];
}

/**
 * Adds every chart of a stack to `app`. With `topicManagement: kafka-provider` the cluster is
 * not run by Strimzi, and its topics, users and ACLs are Pulumi resources (@pulumi/kafka), so
 * the Strimzi charts are left out: a topic must never be owned by both.
 */
export function addStackCharts(app: App, model: PlatformModel): void {
  if (model.config.topicManagement === "strimzi") {
    new KafkaClusterChart(app, model);
    if (model.config.cluster.storageClass?.create === true) new StorageClassChart(app, model);
    new KafkaTopicsChart(app, model);
    new KafkaUsersChart(app, model);
    // MirrorMaker 2 between regions (decision 0013), where the stack mirrors.
    if (model.mirror !== undefined) new MirrorMakerChart(app, model);
    // The monitoring selects Strimzi's pods, so it exists only where Strimzi runs the cluster.
    if (model.config.monitoring.enabled) addMonitoringCharts(app, model);
  }
  // The registry is a Kafka client like a service, on either path to the cluster.
  if (model.config.schemaRegistry.enabled) new SchemaRegistryChart(app, model);
}

/** Renders every chart of a stack, deterministically, without writing files. */
export function renderStack(model: PlatformModel): RenderedChart[] {
  const app = new App();
  addStackCharts(app, model);
  return app.charts.map((chart: Chart) => ({
    name: chart.node.id,
    objects: sortObjects(chart.toJson() as K8sObject[]),
  }));
}
