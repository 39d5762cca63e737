import type { AlertContext } from "../alerts/types.ts";
import { dashboardSelectors } from "./promql.ts";
import type { DashboardSpec } from "./types.ts";

/** The KRaft metadata quorum: who leads, epochs, replication of the metadata log, controller work. */
export function kraftQuorumDashboard(ctx: AlertContext): DashboardSpec {
  const { cluster: c, controllers: k } = dashboardSelectors(ctx);
  return {
    uid: `kp-${ctx.cluster}-kraft`.slice(0, 40),
    title: `KRaft quorum (${ctx.cluster})`,
    description: "Metadata quorum of the controllers; brokers follow it as observers.",
    tags: ["kafka", "kafka-platform", "kraft"],
    rows: [
      {
        title: "Leadership",
        panels: [
          {
            title: "Quorum leader (node id)",
            description: "Node id of the current KRaft leader as the controllers see it.",
            kind: "stat",
            unit: "none",
            source: "kafka",
            queries: [
              { expr: `max(kafka_server_raftmetrics_current_leader{${k}})`, legend: "leader" },
            ],
          },
          {
            title: "Current epoch",
            description: "Leader epoch; a rising epoch means elections.",
            kind: "timeseries",
            unit: "none",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_server_raftmetrics_current_epoch{${c}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Node state",
            description: "KRaft state of each node (leader, follower, observer, candidate...).",
            kind: "timeseries",
            unit: "none",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod, state) (kafka_server_raftmetrics_current_state{${c}})`,
                legend: "{{pod}} {{state}}",
              },
            ],
          },
        ],
      },
      {
        title: "Metadata log",
        panels: [
          {
            title: "High watermark",
            description: "Committed offset of the metadata log per node.",
            kind: "timeseries",
            unit: "none",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_server_raftmetrics_high_watermark{${c}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Log end offset behind the leader",
            description: "How far each node's metadata log end is behind the highest one.",
            kind: "timeseries",
            unit: "none",
            source: "kafka",
            queries: [
              {
                expr: `scalar(max(kafka_server_raftmetrics_log_end_offset{${c}})) - max by (pod) (kafka_server_raftmetrics_log_end_offset{${c}})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Commit latency",
            description: "Time to commit a metadata record on the quorum (average and max).",
            kind: "timeseries",
            unit: "ms",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_server_raftmetrics_commit_latency_avg{${k}})`,
                legend: "avg {{pod}}",
              },
              {
                expr: `max by (pod) (kafka_server_raftmetrics_commit_latency_max{${k}})`,
                legend: "max {{pod}}",
              },
            ],
          },
        ],
      },
      {
        title: "Controller",
        panels: [
          {
            title: "Registered brokers",
            description: "Active and fenced brokers as the controller sees them.",
            kind: "timeseries",
            unit: "short",
            source: "kafka",
            queries: [
              {
                expr: `max(kafka_controller_kafkacontroller_activebrokercount{${k}})`,
                legend: "active",
              },
              {
                expr: `max(kafka_controller_kafkacontroller_fencedbrokercount{${k}})`,
                legend: "fenced",
              },
            ],
          },
          {
            title: "Event queue time p99",
            description: "Time controller events wait before processing.",
            kind: "timeseries",
            unit: "ms",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_controller_controllereventmanager_eventqueuetimems{${k}, quantile="0.99"})`,
                legend: "{{pod}}",
              },
            ],
          },
          {
            title: "Metadata apply lag",
            description: "How old the last metadata record applied on each node is.",
            kind: "timeseries",
            unit: "ms",
            source: "kafka",
            queries: [
              {
                expr: `max by (pod) (kafka_controller_kafkacontroller_lastappliedrecordlagms{${k}})`,
                legend: "controller {{pod}}",
              },
            ],
          },
        ],
      },
    ],
  };
}
