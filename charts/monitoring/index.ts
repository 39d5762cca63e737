import type { App } from "cdk8s";
import type { PlatformModel } from "../model.ts";
import { kafkaJmxExporterConfig, renderJmxExporterConfigYaml } from "./jmx-exporter-rules.ts";
import { DashboardsChart } from "./dashboards-chart.ts";
import { KubeStateMetricsChart } from "./kube-state-metrics.ts";
import { MonitoringChart } from "./monitoring-chart.ts";

/** Key of the JMX Prometheus exporter rules inside the metrics ConfigMap. */
export const KAFKA_METRICS_CONFIGMAP_KEY = "kafka-metrics-config.yml";

/** Name of the ConfigMap the Kafka resource's metricsConfig points at. */
export function kafkaMetricsConfigMapName(clusterName: string): string {
  return `${clusterName}-kafka-metrics`;
}

/** The JMX Prometheus exporter rules (YAML): used by the ConfigMap and by the local brokers' javaagent. */
export function kafkaJmxExporterConfigYaml(): string {
  return renderJmxExporterConfigYaml(kafkaJmxExporterConfig());
}

/** Adds the monitoring chart(s) (PodMonitors, PrometheusRule, dashboard ConfigMaps) to the app. */
export function addMonitoringCharts(app: App, model: PlatformModel): void {
  new MonitoringChart(app, model);
  new DashboardsChart(app, model);
  new KubeStateMetricsChart(app, model);
}
