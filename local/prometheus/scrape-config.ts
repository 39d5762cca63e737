import { stringify } from "yaml";

/**
 * prometheus.yml for the loopback Prometheus that watches a local cluster. Kubernetes is not
 * here, so the targets are static, but each carries the labels the PodMonitors give a Strimzi
 * pod (namespace, pod, strimzi_io_*), so the alert rules and dashboard queries rendered for the
 * dev stack select the local nodes exactly as they select the pods of a real cluster.
 * The local nodes run the broker and controller roles together.
 */
export interface LocalScrapeTarget {
  /** host:port of a metrics endpoint on loopback. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface LocalPrometheusConfigInput {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  readonly ruleFiles: readonly string[];
  readonly jobs: readonly {
    readonly job: string;
    readonly targets: readonly LocalScrapeTarget[];
  }[];
}

export interface LocalKafkaNode {
  readonly id: number;
  readonly metricsPort: number;
}

/** The labels a Strimzi node-pool pod of `cluster` in `namespace` gets through the PodMonitor. */
export function strimziNodeLabels(
  namespace: string,
  cluster: string,
  pool: string,
  nodeId: number,
  roles: { broker: boolean; controller: boolean },
): Record<string, string> {
  return {
    namespace,
    pod: `${cluster}-${pool}-${nodeId}`,
    strimzi_io_cluster: cluster,
    strimzi_io_kind: "Kafka",
    strimzi_io_name: `${cluster}-kafka`,
    strimzi_io_component_type: "kafka",
    strimzi_io_pool_name: pool,
    strimzi_io_broker_role: String(roles.broker),
    strimzi_io_controller_role: String(roles.controller),
  };
}

export function kafkaNodeTargets(
  nodes: readonly LocalKafkaNode[],
  namespace: string,
  cluster: string,
): LocalScrapeTarget[] {
  return nodes.map((n) => ({
    address: `127.0.0.1:${n.metricsPort}`,
    labels: strimziNodeLabels(namespace, cluster, "combined", n.id, {
      broker: true,
      controller: true,
    }),
  }));
}

export function localPrometheusConfigYaml(input: LocalPrometheusConfigInput): string {
  return stringify(
    {
      global: {
        scrape_interval: input.scrapeInterval,
        scrape_timeout: input.scrapeInterval,
        evaluation_interval: input.evaluationInterval,
      },
      rule_files: [...input.ruleFiles],
      scrape_configs: input.jobs.map((j) => ({
        job_name: j.job,
        static_configs: j.targets.map((t) => ({ targets: [t.address], labels: { ...t.labels } })),
      })),
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
