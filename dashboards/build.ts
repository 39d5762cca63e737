import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { DashboardSpec, PanelSpec } from "./types.ts";

/** Every query goes to the Prometheus data source the viewer picks (variable `datasource`). */
const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

function queries(panel: PanelSpec): prometheus.DataqueryBuilder[] {
  return panel.queries.map((q, i) =>
    new prometheus.DataqueryBuilder()
      .expr(q.expr)
      .legendFormat(q.legend)
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE),
  );
}

function statPanel(panel: PanelSpec): stat.PanelBuilder {
  const red = panel.redFrom;
  const steps: dashboard.Threshold[] =
    red === undefined
      ? [{ value: null, color: "green" }]
      : [
          { value: null, color: "green" },
          { value: red, color: "red" },
        ];
  const builder = new stat.PanelBuilder()
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .span(panel.width ?? 4)
    .height(4)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]))
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps),
    );
  for (const q of queries(panel)) builder.withTarget(q);
  return builder;
}

function timeseriesPanel(panel: PanelSpec): timeseries.PanelBuilder {
  const builder = new timeseries.PanelBuilder()
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .span(panel.width ?? 12)
    .height(8)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    );
  for (const q of queries(panel)) builder.withTarget(q);
  return builder;
}

/** The Grafana dashboard JSON model of a spec. */
export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .editable()
    .refresh("30s")
    .time({ from: "now-3h", to: "now" })
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(
      new dashboard.DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus"),
    );
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const panel of row.panels) {
      builder.withPanel(panel.kind === "stat" ? statPanel(panel) : timeseriesPanel(panel));
    }
  }
  return builder.build();
}

/** Every PromQL expression of a spec, with the panel it belongs to. */
export function dashboardQueries(
  spec: DashboardSpec,
): { panel: PanelSpec; expr: string; dashboard: string }[] {
  return spec.rows.flatMap((r) =>
    r.panels.flatMap((panel) =>
      panel.queries.map((q) => ({ panel, expr: q.expr, dashboard: spec.uid })),
    ),
  );
}
