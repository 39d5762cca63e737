import { join } from "node:path";
import { renderedPrometheusRule, ruleFileFromPrometheusRule } from "../../alerts/rule-file.ts";
import { alertContextFromModel } from "../../alerts/context.ts";
import { buildPlatformModel, type PlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import { instanceDir } from "../paths.ts";
import type { NodePorts } from "../ports.ts";
import { type LocalScrapeTarget, kafkaNodeTargets } from "./scrape-config.ts";
import { LocalPrometheus } from "./server.ts";

/**
 * A loopback Prometheus for one local cluster instance, loaded with the alert rules rendered
 * for a stack (the dev stack by default: cluster chat-kafka in namespace kafka), scraping the
 * nodes' JMX exporter ports with the labels a Strimzi pod would have.
 *
 * Ports inside the instance's range (see local/ports.ts): base+25 Prometheus, base+26 the lag probe.
 */
export const PROMETHEUS_PORT_OFFSET = 25;
export const LAG_PROBE_PORT_OFFSET = 26;

export interface LocalMonitoringOptions {
  readonly instance: string;
  readonly portBase: number;
  readonly nodes: readonly NodePorts[];
  readonly stack?: string;
  /** More scrape jobs, e.g. the lag probe. */
  readonly extraJobs?: readonly { job: string; targets: readonly LocalScrapeTarget[] }[];
  readonly log?: (line: string) => void;
}

export function monitoringModel(stack = "dev"): PlatformModel {
  return buildPlatformModel(loadStack(stack));
}

export function localMonitoring(options: LocalMonitoringOptions): LocalPrometheus {
  const model = monitoringModel(options.stack);
  const ctx = alertContextFromModel(model);
  return new LocalPrometheus({
    dir: join(instanceDir(options.instance), "prometheus"),
    port: options.portBase + PROMETHEUS_PORT_OFFSET,
    ruleFiles: { "kafka-alerts.yaml": ruleFileFromPrometheusRule(renderedPrometheusRule(model)) },
    jobs: [
      {
        job: `${ctx.namespace}/${ctx.cluster}-combined`,
        targets: kafkaNodeTargets(
          options.nodes.map((n) => ({ id: n.id, metricsPort: n.metrics })),
          ctx.namespace,
          ctx.cluster,
        ),
      },
      ...(options.extraJobs ?? []),
    ],
    // A JMX scrape of a busy local node can take seconds on a shared 2-core machine.
    scrapeInterval: "15s",
    evaluationInterval: "5s",
    ...(options.log ? { log: options.log } : {}),
  });
}
