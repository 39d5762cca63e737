/**
 * Dashboards as typed data: every panel's PromQL is plain data here, so tests can type-check
 * each expression with promtool and run it against the live local cluster's Prometheus, and
 * the builder (build.ts) turns the spec into Grafana JSON with @grafana/grafana-foundation-sdk.
 */

/**
 * Where a query's metrics come from, so the live test knows what a loopback Prometheus can answer:
 * - kafka: the brokers' and controllers' JMX exporter (and `up` of their targets);
 * - kafka-exporter: the Kafka Exporter (consumer-group lag);
 * - kubernetes: kubelet / kube-state-metrics, only in a real cluster;
 * - client: the services' own client metrics (client/metric-names.ts).
 */
export type MetricSource = "kafka" | "kafka-exporter" | "kubernetes" | "client";

export interface QuerySpec {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{pod}}`. */
  readonly legend: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: "stat" | "timeseries";
  /** Grafana unit id: short, bytes, Bps, ms, percentunit, ... */
  readonly unit: string;
  readonly source: MetricSource;
  readonly queries: readonly QuerySpec[];
  /** Grid width (1-24); defaults: stat 4, timeseries 12. */
  readonly width?: number;
  /** Stat panels: a value at or above this turns red (0 turns everything non-zero red). */
  readonly redFrom?: number;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Grafana uid (8-40 characters) and the ConfigMap key's stem. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
}
