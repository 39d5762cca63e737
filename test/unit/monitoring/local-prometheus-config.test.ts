import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  kafkaNodeTargets,
  localPrometheusConfigYaml,
} from "../../../local/prometheus/scrape-config.ts";

describe("loopback Prometheus config", () => {
  it("labels local nodes like Strimzi pods seen through the PodMonitors, on loopback only", () => {
    const targets = kafkaNodeTargets(
      [
        { id: 0, metricsPort: 29020 },
        { id: 1, metricsPort: 29021 },
      ],
      "kafka",
      "chat-kafka",
    );
    expect(targets[1]).toEqual({
      address: "127.0.0.1:29021",
      labels: {
        namespace: "kafka",
        pod: "chat-kafka-combined-1",
        strimzi_io_cluster: "chat-kafka",
        strimzi_io_kind: "Kafka",
        strimzi_io_name: "chat-kafka-kafka",
        strimzi_io_component_type: "kafka",
        strimzi_io_pool_name: "combined",
        strimzi_io_broker_role: "true",
        strimzi_io_controller_role: "true",
      },
    });
    const config = parse(
      localPrometheusConfigYaml({
        scrapeInterval: "15s",
        evaluationInterval: "5s",
        ruleFiles: ["/tmp/rules.yaml"],
        jobs: [{ job: "kafka/chat-kafka-combined", targets }],
      }),
    ) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.global).toEqual({
      scrape_interval: "15s",
      scrape_timeout: "15s",
      evaluation_interval: "5s",
    });
    expect(config.rule_files).toEqual(["/tmp/rules.yaml"]);
    expect(config.scrape_configs[0]!.static_configs.flatMap((s) => s.targets)).toEqual([
      "127.0.0.1:29020",
      "127.0.0.1:29021",
    ]);
  });
});
