import { promRegexLiteral, promString } from "../alerts/selectors.ts";
import type { AlertContext } from "../alerts/types.ts";
import { dashboardSelectors } from "./promql.ts";
import type { DashboardSpec, PanelSpec } from "./types.ts";

/**
 * Lag of the catalog's consumer groups, one panel per group, from the Kafka Exporter.
 * Partitions where a group never committed report -1 and are excluded from the sums;
 * a separate panel counts them.
 */
export function consumerLagDashboard(ctx: AlertContext): DashboardSpec {
  const c = dashboardSelectors(ctx).cluster;
  const groups = ctx.consumerGroups.map(promRegexLiteral).join("|");
  const allGroups = `kafka_consumergroup_lag{${c}, consumergroup=~"${groups}"}`;
  const perGroup: PanelSpec[] = ctx.consumerGroups.map((g) => ({
    title: `Lag: ${g}`,
    description: `Messages consumer group ${g} has not committed yet, per topic. Alert thresholds: 10k warning, 100k critical (whole group).`,
    kind: "timeseries",
    unit: "short",
    source: "kafka-exporter",
    width: 8,
    queries: [
      {
        expr: `sum by (topic) (kafka_consumergroup_lag{${c}, consumergroup=${promString(g)}} >= 0)`,
        legend: "{{topic}}",
      },
    ],
  }));
  return {
    uid: `kp-${ctx.cluster}-consumer-lag`.slice(0, 40),
    title: `Kafka consumer lag (${ctx.cluster})`,
    description: "Lag of every consumer group of the catalog (seed goal: below 1000).",
    tags: ["kafka", "kafka-platform", "consumers"],
    rows: [
      {
        title: "All catalog groups",
        panels: [
          {
            title: "Total lag per group",
            description: "Sum over topics and partitions; -1 (no committed offset) excluded.",
            kind: "timeseries",
            unit: "short",
            source: "kafka-exporter",
            queries: [
              { expr: `sum by (consumergroup) (${allGroups} >= 0)`, legend: "{{consumergroup}}" },
            ],
          },
          {
            title: "Partitions without a committed offset",
            description: "Partitions where the Kafka Exporter reports -1 for a catalog group.",
            kind: "stat",
            unit: "short",
            source: "kafka-exporter",
            queries: [{ expr: `count(${allGroups} == -1) or vector(0)`, legend: "partitions" }],
          },
          {
            title: "Group members",
            description: "Consumers in each catalog group.",
            kind: "timeseries",
            unit: "short",
            source: "kafka-exporter",
            queries: [
              {
                expr: `max by (consumergroup) (kafka_consumergroup_members{${c}, consumergroup=~"${groups}"})`,
                legend: "{{consumergroup}}",
              },
            ],
          },
        ],
      },
      { title: "Per group", panels: perGroup },
    ],
  };
}
