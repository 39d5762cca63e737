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
            description:
              "Instances of each catalog group that hold partitions, counted from the client's lag gauge. The Kafka Exporter's kafka_consumergroup_members reads the classic group API and shows 0 for KIP-848 (consumer protocol) groups, which the client module uses.",
            kind: "timeseries",
            unit: "short",
            source: "client",
            queries: [
              {
                expr: `count by (group) (count by (group, instance) (kafka_client_consume_lag{group=~"${groups}"}))`,
                legend: "{{group}}",
              },
            ],
          },
        ],
      },
      { title: "Per group", panels: perGroup },
    ],
  };
}
