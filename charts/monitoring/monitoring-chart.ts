import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { PlatformModel } from "../model.ts";
import { addPodMonitors } from "./pod-monitors.ts";
import { addPrometheusRule } from "./prometheus-rule.ts";

export const MONITORING_CHART = "monitoring";

/** What Prometheus needs: the PodMonitors and the stack's PrometheusRule. */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, MONITORING_CHART, { namespace: model.config.kubernetes.namespace });
    addPodMonitors(this, model);
    addPrometheusRule(this, model);
  }
}
