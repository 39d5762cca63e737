import type { AlertContext } from "../alerts/types.ts";
import { fetchServiceTimeP99 } from "../alerts/request-latency.ts";
import { RATE_WINDOW, dashboardSelectors } from "./promql.ts";
import type { DashboardSpec } from "./types.ts";

export function clusterOverviewDashboard(ctx: AlertContext): DashboardSpec {
  const s = dashboardSelectors(ctx);
  return {
    uid: `kp-${ctx.cluster}-overview`.slice(0, 40),
    title: `Kafka cluster overview (${ctx.cluster})`,
    description:
      "Health of the brokers and controllers: availability, replication, latency, saturation.",
    tags: ["kafka", "kafka-platform", "overview"],
    rows: [
      {
        title: "Health",
        panels: [
          {
            title: "Brokers up",
            description: `Broker targets up (of ${ctx.brokerReplicas}).`,
            kind: "stat",
            unit: "short",
            source: "kafka",
            queries: [{ expr: `sum(up{${s.brokers}})`, legend: "brokers" }],
          },
          {
            title: "Controllers up",
            description: `KRaft controller targets up (of ${ctx.controllerReplicas}).`,
            kind: "stat",
            unit: "short",
            source: "kafka",
            queries: [{ expr: `sum(up{${s.controllers}})`, legend: "controllers" }],
          },
          {
            title: "Active controllers",
            description: "Must be exactly 1.",
            kind: "stat",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `sum(kafka_controller_kafkacontroller_activecontrollercount{${s.controllers}})`,
                legend: "active",
              },
            ],
          },
          {
            title: "Offline partitions",
            description: "Partitions without a leader.",
            kind: "stat",
            unit: "short",
            source: "kafka",
            redFrom: 1,
            queries: [
              {
                expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount{${s.controllers}})`,
                legend: "offline",
              },
            ],
          },
          {
            title: "Under-replicated partitions",
            description: "Partitions whose ISR is smaller than their replica set.",
            kind: "stat",
            unit: "short",
            source: "kafka",
            redFrom: 1,
            queries: [
              {
                expr: `sum(kafka_server_replicamanager_underreplicatedpartitions{${s.brokers}})`,
                legend: "under-replicated",
              },
            ],
          },
          {
            title: "Under min ISR",
            description: "Partitions that reject acks=all writes.",
            kind: "stat",
            unit: "short",
            source: "kafka",
            redFrom: 1,
            queries: [
              {
                expr: `sum(kafka_server_replicamanager_underminisrpartitioncount{${s.brokers}})`,
                legend: "under min ISR",
              },
            ],
          },
        ],
      },
      {
        title: "Replication",
        panels: [
          {
            title: "Under-replicated partitions per broker",
            description: "Counted by each partition's leader.",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `sum by (pod) (kafka_server_replicamanager_underreplicatedpartitions{${s.brokers}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "ISR shrinks and expands per minute",
            description: "Alert thresholds: 1/min warning, 5/min critical (shrinks).",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `sum by (pod) (rate(kafka_server_replicamanager_isrshrinks_total{${s.brokers}}[${RATE_WINDOW}])) * 60`,
                legend: "shrinks {{pod}}",
              },
              {
                expr: `sum by (pod) (rate(kafka_server_replicamanager_isrexpands_total{${s.brokers}}[${RATE_WINDOW}])) * 60`,
                legend: "expands {{pod}}",
              },
            ],
          },
          {
            title: "Partition replicas and leaders per broker",
            description: "Balance of replicas and leaderships across brokers.",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `sum by (pod) (kafka_server_replicamanager_partitioncount{${s.brokers}})`,
                legend: "replicas {{pod}}",
              },
              {
                expr: `sum by (pod) (kafka_server_replicamanager_leadercount{${s.brokers}})`,
                legend: "leaders {{pod}}",
              },
            ],
          },
          {
            title: "Offline log directories",
            description: "Log directories a broker took offline after I/O errors.",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_log_logmanager_offlinelogdirectorycount{${s.brokers}})`,
                legend: "{{pod}}",
              },
            ],
          },
        ],
      },
      {
        title: "Latency and saturation",
        panels: [
          {
            title: "Produce p99 (total time)",
            description: "Alert thresholds: 100 ms warning, 500 ms critical.",
            kind: "timeseries",
            unit: "ms",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_network_requestmetrics_totaltimems{${s.brokers}, request="Produce", quantile="0.99"})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Fetch p99 (broker time, without the long-poll wait)",
            description:
              "Request queue + local + response queue + response send p99; the purgatory wait (fetch.max.wait.ms) is left out.",
            kind: "timeseries",
            unit: "ms",
            source: "kafka",
            queries: [
              { expr: `max by (pod) (${fetchServiceTimeP99(s.brokers)})`, legend: "{{pod}}" },
            ],
          },
          {
            title: "Request handler idle",
            description: "Share of time the request handler threads are idle; low means saturated.",
            kind: "timeseries",
            unit: "percentunit",
            source: "kafka",
            queries: [
              {
                expr: `avg by (pod) (kafka_server_kafkarequesthandlerpool_requesthandleravgidle_percent{${s.brokers}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Network processor idle",
            description: "Share of time the network threads are idle.",
            kind: "timeseries",
            unit: "percentunit",
            source: "kafka",
            queries: [
              {
                expr: `avg by (pod) (kafka_network_socketserver_networkprocessoravgidlepercent{${s.cluster}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "JVM heap used",
            description: "Heap of every broker and controller.",
            kind: "timeseries",
            unit: "bytes",
            source: "kafka",
            queries: [
              {
                expr: `sum by (pod) (jvm_memory_used_bytes{${s.cluster}, strimzi_io_kind="Kafka", area="heap"})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Volume usage",
            description:
              "Used share of each Kafka volume (kubelet). Alert thresholds: 70% warning, 85% critical.",
            kind: "timeseries",
            unit: "percentunit",
            source: "kubernetes",
            queries: [
              {
                expr:
                  `max by (persistentvolumeclaim) ((1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes)` +
                  ` * on (namespace, persistentvolumeclaim) group_left () max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_labels{namespace="${ctx.namespace}", label_strimzi_io_cluster="${ctx.cluster}"}))`,
                legend: "{{persistentvolumeclaim}}",
              },
            ],
          },
        ],
      },
    ],
  };
}
