import { promRegexLiteral, promString } from "../alerts/selectors.ts";
import { LAG_ABOVE_TARGET_RECORD } from "../alerts/consumer-lag.ts";
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
  const objective = (g: string): AlertContext["lagObjectives"][number] | undefined =>
    ctx.lagObjectives.find((o) => o.group === g);
  const perGroup: PanelSpec[] = ctx.consumerGroups.flatMap((g): PanelSpec[] => {
    const o = objective(g);
    const levels =
      o === undefined
        ? ""
        : ` Target ${o.target}; alerts ${o.warning} warning, ${o.critical} critical (whole group)${o.reason !== undefined ? `: ${o.reason}` : "."}`;
    return [
      {
        title: `Lag: ${g}`,
        description: `Messages consumer group ${g} has not committed yet, per topic.${levels}`,
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
      },
      {
        title: `Time above target: ${g}`,
        description: `Share of the last 24 hours consumer group ${g} spent above its lag target (${o?.target ?? "?"} messages), from the recording rule ${LAG_ABOVE_TARGET_RECORD}.`,
        kind: "stat",
        unit: "percentunit",
        source: "kafka-exporter",
        width: 4,
        queries: [
          {
            expr: `avg_over_time(${LAG_ABOVE_TARGET_RECORD}{${c}, consumergroup=${promString(g)}}[1d])`,
            legend: g,
          },
        ],
      },
    ];
  });
  return {
    uid: `kp-${ctx.cluster}-consumer-lag`.slice(0, 40),
    title: `Kafka consumer lag (${ctx.cluster})`,
    description:
      "Lag of every consumer group of the catalog against its target (seed: below 1,000; overrides in acl/services.ts), and the time each group spends above it.",
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
