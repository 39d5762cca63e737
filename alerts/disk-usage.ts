import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

export const DISK_USAGE_WARNING = 0.7;
export const DISK_USAGE_CRITICAL = 0.85;
/** The fill-time alert extrapolates this much recent history... */
export const DISK_FILL_LOOKBACK = "6h";
/** ...this far ahead. */
export const DISK_FILL_HORIZON_HOURS = 24;

/**
 * Used fraction of each Kafka volume, from kubelet's volume stats. kubelet metrics carry only
 * the claim's name, so the claims are picked by Strimzi's labels on the PVC via kube-state-metrics'
 * kube_persistentvolumeclaim_labels (needs `--metric-labels-allowlist=persistentvolumeclaims=[strimzi.io/cluster,strimzi.io/pool-name]`;
 * see docs/monitoring.md), not by a claim-name pattern.
 */
export function diskUsageAlerts(ctx: AlertContext): AlertGroup {
  const pvcLabels =
    `max by (namespace, persistentvolumeclaim, label_strimzi_io_pool_name) (` +
    `kube_persistentvolumeclaim_labels{namespace=${promString(ctx.namespace)}, label_strimzi_io_cluster=${promString(ctx.cluster)}})`;
  const used =
    `max by (namespace, persistentvolumeclaim, label_strimzi_io_pool_name) (` +
    `(1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)` +
    ` * on (namespace, persistentvolumeclaim) group_left (label_strimzi_io_pool_name) ${pvcLabels})`;
  const description = (threshold: number): string =>
    `Volume {{ $labels.persistentvolumeclaim }} (pool {{ $labels.label_strimzi_io_pool_name }}) in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full (threshold ${Math.round(threshold * 100)}%).`;
  return {
    name: "kafka-disk-usage",
    alerts: [
      {
        alert: "KafkaDiskUsageHigh",
        severity: "warning",
        expr: `${used} > ${DISK_USAGE_WARNING}`,
        for: "10m",
        summary: "A Kafka volume is filling up.",
        description: description(DISK_USAGE_WARNING),
      },
      {
        alert: "KafkaDiskUsageHigh",
        severity: "critical",
        expr: `${used} > ${DISK_USAGE_CRITICAL}`,
        for: "5m",
        summary: "A Kafka volume is filling up.",
        description: description(DISK_USAGE_CRITICAL),
      },
      {
        // The sizing (npm run capacity) can be wrong: this sees the trend long before 70 %.
        alert: "KafkaDiskFillPredicted",
        severity: "warning",
        expr:
          `max by (namespace, persistentvolumeclaim, label_strimzi_io_pool_name) (` +
          `predict_linear(kubelet_volume_stats_available_bytes[${DISK_FILL_LOOKBACK}], ${DISK_FILL_HORIZON_HOURS} * 3600)` +
          ` * on (namespace, persistentvolumeclaim) group_left (label_strimzi_io_pool_name) ${pvcLabels}) < 0`,
        for: "1h",
        summary: "A Kafka volume will be full within a day at its current rate.",
        description: `Volume {{ $labels.persistentvolumeclaim }} (pool {{ $labels.label_strimzi_io_pool_name }}) in {{ $labels.namespace }} fills within ${DISK_FILL_HORIZON_HOURS}h if it keeps growing as over the last ${DISK_FILL_LOOKBACK} (predicted free space {{ $value | humanize1024 }}B).`,
      },
      {
        // Without these series the two alerts above can never fire.
        alert: "KafkaDiskUsageMetricsAbsent",
        severity: "warning",
        expr:
          `absent(kubelet_volume_stats_available_bytes{namespace=${promString(ctx.namespace)}})` +
          ` or absent(kube_persistentvolumeclaim_labels{namespace=${promString(ctx.namespace)}, label_strimzi_io_cluster=${promString(ctx.cluster)}})`,
        for: "15m",
        summary: "The Kafka volumes' usage is not monitored.",
        description:
          "No {{ if $labels.label_strimzi_io_cluster }}kube_persistentvolumeclaim_labels (kube-state-metrics) for cluster {{ $labels.label_strimzi_io_cluster }}{{ else }}kubelet_volume_stats_available_bytes (kubelet){{ end }} in {{ $labels.namespace }}: the disk alerts cannot fire.",
      },
    ],
  };
}
