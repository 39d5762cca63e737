import { alertContextFromModel } from "../alerts/context.ts";
import type { PlatformModel } from "../charts/model.ts";
import { buildDashboard } from "./build.ts";
import { clientMetricsDashboard } from "./client-metrics.ts";
import { clusterOverviewDashboard } from "./cluster-overview.ts";
import { consumerLagDashboard } from "./consumer-lag.ts";
import { kraftQuorumDashboard } from "./kraft-quorum.ts";
import { topicsThroughputDashboard } from "./topics-throughput.ts";
import type { DashboardSpec } from "./types.ts";

export type { DashboardSpec, PanelSpec, QuerySpec, MetricSource } from "./types.ts";
export { buildDashboard, dashboardQueries } from "./build.ts";

/** The stack's dashboards, in a fixed order. */
export function dashboardSpecs(model: PlatformModel): DashboardSpec[] {
  const ctx = alertContextFromModel(model);
  return [
    clusterOverviewDashboard(ctx),
    topicsThroughputDashboard(ctx),
    consumerLagDashboard(ctx),
    kraftQuorumDashboard(ctx),
    clientMetricsDashboard(ctx.cluster),
  ];
}

/** Each dashboard as the JSON Grafana's sidecar loads, keyed `<uid>.json`. */
export function renderDashboards(model: PlatformModel): { file: string; json: string }[] {
  return dashboardSpecs(model).map((spec) => ({
    file: `${spec.uid}.json`,
    json: `${JSON.stringify(buildDashboard(spec), null, 2)}\n`,
  }));
}
