import { stringify } from "yaml";

/**
 * The JMX Prometheus exporter rules for Kafka brokers and controllers, as typed data.
 *
 * One source for two consumers: the metrics ConfigMap the Kafka resource's `metricsConfig`
 * points at, and the javaagent of the local brokers (so the live tests scrape exactly what
 * production scrapes). Names follow Strimzi's example style: lowercase, `kafka_<domain>_<type>_<name>`,
 * per-second meters exported as `_total` counters and Yammer histograms as quantile gauges.
 *
 * The exporter matches each rule's regex, unanchored, against strings such as
 *   kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value: 3
 *   kafka.network<type=RequestMetrics, name=TotalTimeMs, request=Produce><>99thPercentile: 4.1
 *   kafka.server<type=raft-metrics><>current-epoch: 7
 * and the first matching rule wins. Captured values here never span a comma or a `>`, so a
 * rule written for N bean keys cannot swallow a bean with N+1 keys and the order only decides
 * between the families below, not inside them.
 */

export type JmxMetricType = "GAUGE" | "COUNTER" | "UNTYPED";

export interface JmxExporterRule {
  readonly pattern: string;
  readonly name: string;
  readonly type: JmxMetricType;
  readonly labels?: Readonly<Record<string, string>>;
  /** A constant sample value, for string attributes the exporter cannot read as numbers. */
  readonly value?: string;
  /**
   * Let the exporter remember this rule's match or mismatch per bean attribute. Only for rules
   * whose pattern ignores the attribute's value (the cache would keep the first value's outcome).
   */
  readonly cache?: boolean;
  readonly help?: string;
}

export interface JmxExporterConfig {
  readonly lowercaseOutputName: boolean;
  readonly lowercaseOutputLabelNames: boolean;
  /** Beans outside these domains are never read: keeps a scrape cheap on brokers with many partitions. */
  readonly includeObjectNames: readonly string[];
  /** Beans nobody queries, skipped although their domain is included. */
  readonly excludeObjectNames: readonly string[];
  readonly rules: readonly JmxExporterRule[];
}

/** One bean-key value: anything up to the next key or the end of the key list. */
const VALUE = "([^,>]+)";
/** A bean key name. */
const KEY = "(\\w+)";

/**
 * `extraKeys` bean keys after `type` and `name`, as regex text and the labels they become.
 * Captures start at `firstGroup`.
 */
function keyedSuffix(
  extraKeys: number,
  firstGroup: number,
): { regex: string; labels: Record<string, string> } {
  let regex = "";
  const labels: Record<string, string> = {};
  for (let i = 0; i < extraKeys; i++) {
    const keyGroup = firstGroup + 2 * i;
    regex += `, ${KEY}=${VALUE}`;
    labels[`$${keyGroup}`] = `$${keyGroup + 1}`;
  }
  return { regex, labels };
}

function withLabels(rule: JmxExporterRule, labels: Record<string, string>): JmxExporterRule {
  return Object.keys(labels).length === 0 ? rule : { ...rule, labels };
}

/**
 * Yammer metrics (`kafka.<domain>:type=X,name=Y[,k=v...]`) of every shape Kafka uses:
 * gauges (`Value`), meters (`Count` of a `...PerSec` name), histograms and timers
 * (`Count` and `NNthPercentile`). Extra keys (topic, partition, request, listener, ...) become labels.
 */
function yammerRules(maxExtraKeys: number): JmxExporterRule[] {
  const rules: JmxExporterRule[] = [];
  // Most keys first: readability only, the captures cannot overlap (see the module comment).
  for (let extra = maxExtraKeys; extra >= 0; extra--) {
    const head = `kafka\\.(\\w+)<type=${VALUE}, name=`;
    // Meters: `BytesInPerSec` -> kafka_server_brokertopicmetrics_bytesin_total.
    {
      const s = keyedSuffix(extra, 4);
      rules.push(
        withLabels(
          {
            pattern: `${head}([^,>]+)PerSec${s.regex}><>Count`,
            name: "kafka_$1_$2_$3_total",
            type: "COUNTER",
          },
          s.labels,
        ),
      );
    }
    // Percent gauges reported as meters (RequestHandlerAvgIdlePercent): the one-minute rate is the ratio.
    {
      const s = keyedSuffix(extra, 4);
      rules.push(
        withLabels(
          {
            pattern: `${head}([^,>]+)Percent${s.regex}><>OneMinuteRate`,
            name: "kafka_$1_$2_$3_percent",
            type: "GAUGE",
          },
          s.labels,
        ),
      );
    }
    // Gauges.
    {
      const s = keyedSuffix(extra, 4);
      rules.push(
        withLabels(
          { pattern: `${head}${VALUE}${s.regex}><>Value`, name: "kafka_$1_$2_$3", type: "GAUGE" },
          s.labels,
        ),
      );
    }
    // Histograms and timers: quantiles (99thPercentile -> quantile 0.99, 999thPercentile -> 0.999) and count.
    {
      const s = keyedSuffix(extra, 4);
      const quantileGroup = 4 + 2 * extra;
      rules.push({
        pattern: `${head}${VALUE}${s.regex}><>(\\d+)thPercentile`,
        name: "kafka_$1_$2_$3",
        type: "GAUGE",
        labels: { ...s.labels, quantile: `0.$${quantileGroup}` },
      });
      rules.push(
        withLabels(
          {
            pattern: `${head}${VALUE}${s.regex}><>Count`,
            name: "kafka_$1_$2_$3_count",
            // Not COUNTER: exporter 1.x appends `_total` to counter names (`_count_total`).
            type: "UNTYPED",
          },
          s.labels,
        ),
      );
    }
  }
  return rules;
}

/**
 * Kafka's own metrics (the `kafka.server:type=<group>[,k=v]` beans with hyphenated attributes,
 * such as raft-metrics and socket-server-metrics). The group's hyphens are dropped so
 * `raft-metrics` becomes `raftmetrics`; the exporter turns the attribute's hyphens into `_`.
 */
function kafkaMetricsGroupRules(): JmxExporterRule[] {
  const rules: JmxExporterRule[] = [];
  const groups: { readonly type: string; readonly prefix: string; readonly keys: number }[] = [
    // KRaft quorum state: current-leader, current-epoch, high-watermark, commit-latency-avg, ...
    { type: "raft-metrics", prefix: "kafka_server_raftmetrics", keys: 0 },
    // Metadata replay on brokers: last-applied-record-offset, last-applied-record-lag-ms, errors.
    { type: "broker-metadata-metrics", prefix: "kafka_server_brokermetadatametrics", keys: 0 },
    // Connections per listener and network processor: connection-count, connection-creation-total, ...
    { type: "socket-server-metrics", prefix: "kafka_server_socketservermetrics", keys: 2 },
    { type: "socket-server-metrics", prefix: "kafka_server_socketservermetrics", keys: 1 },
    // Consumer group coordinator (KIP-848): group counts per state.
    { type: "group-coordinator-metrics", prefix: "kafka_server_groupcoordinatormetrics", keys: 0 },
  ];
  for (const g of groups) {
    const s = keyedSuffix(g.keys, 1);
    const attrGroup = 1 + 2 * g.keys;
    // `-total` attributes of Kafka metrics are cumulative; everything else is a gauge.
    rules.push(
      withLabels(
        {
          pattern: `kafka\\.server<type=${g.type}${s.regex}><>([a-z0-9-]+)-total:`,
          name: `${g.prefix}_$${attrGroup}_total`,
          type: "COUNTER",
        },
        s.labels,
      ),
    );
    rules.push(
      withLabels(
        {
          pattern: `kafka\\.server<type=${g.type}${s.regex}><>([a-z0-9-]+):`,
          name: `${g.prefix}_$${attrGroup}`,
          type: "GAUGE",
        },
        s.labels,
      ),
    );
  }
  return rules;
}

/** Request types whose latency histograms are exported. */
export const LATENCY_REQUESTS = ["Produce", "Fetch", "FetchConsumer", "FetchFollower"] as const;

/** The rules, most specific first. */
export function kafkaJmxExporterRules(): JmxExporterRule[] {
  const valueIndependent = [...kafkaMetricsGroupRules(), ...yammerRules(2)].map((r) => ({
    ...r,
    cache: true,
  }));
  return [
    // The KRaft role this node plays, as the exporter cannot read string attributes as values:
    // kafka.server:type=raft-metrics current-state is a string (leader, follower, voted, ...).
    {
      pattern: "kafka\\.server<type=raft-metrics><>current-state: ([a-z]+)",
      name: "kafka_server_raftmetrics_current_state",
      type: "GAUGE",
      labels: { state: "$1" },
      value: "1",
      help: "1 for the KRaft state this node is in (leader, follower, candidate, voted, unattached, observer).",
    },
    ...valueIndependent,
  ];
}

export function kafkaJmxExporterConfig(): JmxExporterConfig {
  return {
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: false,
    includeObjectNames: [
      "kafka.server:*",
      "kafka.controller:*",
      "kafka.network:type=SocketServer,*",
      "kafka.network:type=Processor,*",
      "kafka.network:type=RequestChannel,*",
      "kafka.network:type=Acceptor,*",
      // Request rates and errors of every request type (small: one meter per type and version).
      "kafka.network:type=RequestMetrics,name=RequestsPerSec,*",
      "kafka.network:type=RequestMetrics,name=ErrorsPerSec,*",
      // Latency histograms only for the requests the alerts and dashboards read: with ~90
      // request types, six phases and ~17 attributes each, reading them all made a scrape of a
      // loaded node take 6-13 s (measured on the local cluster).
      ...LATENCY_REQUESTS.map((r) => `kafka.network:type=RequestMetrics,name=*,request=${r}`),
      // Per-partition beans: only the log size (kafka.cluster:type=Partition is not read at all).
      "kafka.log:type=Log,name=Size,*",
      "kafka.log:type=LogManager,*",
      "kafka.log:type=LogFlushStats,*",
      "kafka.log:type=LogCleaner,*",
      "kafka.log:type=LogCleanerManager,*",
    ],
    excludeObjectNames: [],
    rules: kafkaJmxExporterRules(),
  };
}

/** The exporter config as YAML (the ConfigMap value and the javaagent's config file). */
export function renderJmxExporterConfigYaml(config: JmxExporterConfig): string {
  return stringify(
    {
      lowercaseOutputName: config.lowercaseOutputName,
      lowercaseOutputLabelNames: config.lowercaseOutputLabelNames,
      includeObjectNames: config.includeObjectNames,
      excludeObjectNames: config.excludeObjectNames,
      rules: config.rules.map((r) => ({
        pattern: r.pattern,
        name: r.name,
        type: r.type,
        ...(r.labels ? { labels: r.labels } : {}),
        ...(r.value !== undefined ? { value: r.value } : {}),
        ...(r.cache ? { cache: true } : {}),
        ...(r.help ? { help: r.help } : {}),
      })),
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
