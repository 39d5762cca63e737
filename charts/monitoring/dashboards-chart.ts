import { Chart } from "cdk8s";
import { ConfigMap } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { renderDashboards } from "../../dashboards/index.ts";
import { platformLabels } from "../labels.ts";
import type { PlatformModel } from "../model.ts";

export const DASHBOARDS_CHART = "dashboards";
/** The label Grafana's dashboard sidecar (kube-prometheus-stack default) watches. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/** One ConfigMap per dashboard in Grafana's namespace, for the sidecar to load. */
export class DashboardsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    const namespace = model.config.monitoring.grafanaNamespace;
    super(scope, DASHBOARDS_CHART, { namespace });
    for (const d of renderDashboards(model)) {
      const stem = d.file.replace(/\.json$/, "");
      new ConfigMap(this, `dashboard-${stem}`, {
        metadata: {
          name: `grafana-dashboard-${stem}`,
          namespace,
          labels: { ...platformLabels(model), ...GRAFANA_DASHBOARD_LABEL },
        },
        data: { [d.file]: d.json },
      });
    }
  }
}
