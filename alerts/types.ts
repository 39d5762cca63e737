import type { LagObjective } from "../acl/lag-objectives.ts";
/**
 * The shape of every alert this repository defines. Conventions (from the monitoring mixins):
 * `severity` is critical, warning or info; `summary` is static; `description` is a template
 * that names what is wrong with the series' labels and value; `runbook_url` points at
 * docs/runbooks/<alert>.md. An alert name may carry two severities (warning and critical
 * thresholds of one signal); both share the runbook.
 */
export type Severity = "critical" | "warning" | "info";

export interface AlertDefinition {
  /** CamelCase alert name; also the runbook's file name. */
  readonly alert: string;
  readonly severity: Severity;
  /** PromQL; each resulting series is one alert. */
  readonly expr: string;
  /** How long the condition must hold, a Prometheus duration such as 2m. */
  readonly for: string;
  /** Static one-line summary (no template). */
  readonly summary: string;
  /** Templated description ({{ $labels.x }}, {{ $value }}). */
  readonly description: string;
}

/** What the alerts of one stack need to know, derived from its model. */
export interface AlertContext {
  /** Namespace of the Kafka cluster (and of the PodMonitor targets' `namespace` label). */
  readonly namespace: string;
  /** The Kafka resource's name, the pods' `strimzi.io/cluster` label. */
  readonly cluster: string;
  readonly brokerReplicas: number;
  readonly controllerReplicas: number;
  /** Consumer groups of the catalog's services, sorted. */
  readonly consumerGroups: readonly string[];
  /** Each consumer group's lag target and alert thresholds (acl/lag-objectives.ts). */
  readonly lagObjectives: readonly LagObjective[];
  /** Present when the stack runs the Schema Registry: its namespace, scrape job and replicas. */
  readonly schemaRegistry?: {
    readonly namespace: string;
    readonly job: string;
    readonly replicas: number;
  };
  /** Present when the stack runs MirrorMaker 2. */
  readonly mirrorMaker?: {
    readonly replicas: number;
    /** The stack's RPO (mirrorMaker.rpoSeconds): record age above it fires an alert. */
    readonly rpoSeconds: number;
    /** The checkpoint connector's sync interval: checkpoints older than a few of these have stalled. */
    readonly syncSeconds: number;
    /** The peers' heartbeats as replicated here (`<source>.heartbeats`, decision 0015). */
    readonly heartbeatTopics: readonly string[];
  };
}

/** A recording rule: a series Prometheus computes ahead, for dashboards and alerts. */
export interface RecordingDefinition {
  readonly record: string;
  readonly expr: string;
}

/** A named group of alerts (one concern per group), and the recording rules they come with. */
export interface AlertGroup {
  readonly name: string;
  readonly alerts: readonly AlertDefinition[];
  readonly recordingRules?: readonly RecordingDefinition[];
}
