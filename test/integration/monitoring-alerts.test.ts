import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveAlert } from "../../local/prometheus/api.ts";
import { localMonitoring } from "../../local/prometheus/local-monitoring.ts";
import { testCluster, testClusterControl } from "./support/cluster.ts";

/**
 * Live check of the alert rules on real broker metrics: a loopback Prometheus scrapes the
 * local nodes' JMX exporter (the same rules as the metrics ConfigMap) and evaluates the rules
 * rendered from the dev stack's PrometheusRule. Stopping a node must make
 * KafkaUnderReplicatedPartitions fire; starting it again must resolve it.
 */
const STOPPED_NODE = 2;
const URP = "KafkaUnderReplicatedPartitions";

describe("alerts on the live local cluster", () => {
  const info = testCluster();
  const cluster = testClusterControl();
  const prometheus = localMonitoring({
    instance: info.instance,
    portBase: info.portBase,
    nodes: info.nodes,
    log: (l) => console.log(`[prometheus] ${l}`),
  });
  let stopped = false;

  beforeAll(async () => {
    await prometheus.start();
    await prometheus.waitForTargets(3, 240_000);
  });

  afterAll(async () => {
    try {
      if (stopped) cluster.startBroker(STOPPED_NODE);
      await cluster.waitHealthy({ timeoutMs: 300_000 });
    } finally {
      await prometheus.stop();
    }
  });

  const urpAlerts = async (): Promise<ActiveAlert[]> =>
    (await prometheus.api.alerts()).filter((a) => a.labels.alertname === URP);

  it("loads every rule without evaluation errors, and a healthy cluster raises no replication alert", async () => {
    const groups = await prometheus.api.ruleGroups();
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(15);
    expect(rules.filter((r) => r.health === "err")).toEqual([]);
    const urp = await prometheus.waitFor(
      "under-replicated partitions scraped from all brokers",
      async () => {
        const r = await prometheus.api.query(
          'count(kafka_server_replicamanager_underreplicatedpartitions{namespace="kafka", strimzi_io_cluster="chat-kafka", strimzi_io_broker_role="true"})',
        );
        return r[0]?.value[1] === "3" ? r : undefined;
      },
      60_000,
    );
    expect(urp).toHaveLength(1);
    const sum = await prometheus.api.query(
      'sum(kafka_server_replicamanager_underreplicatedpartitions{strimzi_io_cluster="chat-kafka"})',
    );
    expect(sum[0]?.value[1]).toBe("0");
    expect(await urpAlerts()).toEqual([]);
    // Replication and quorum alerts only: on a busy machine a JMX scrape can time out now and
    // then, which briefly makes the node-down alerts pending without anything being wrong.
    const active = (await prometheus.api.alerts()).map((a) => a.labels.alertname);
    for (const name of [
      "KafkaActiveControllerCountNotOne",
      "KafkaOfflinePartitions",
      "KafkaUnderMinIsrPartitions",
      "KafkaOfflineLogDirectories",
    ]) {
      expect(active).not.toContain(name);
    }
  });

  it("stopping a broker fires KafkaUnderReplicatedPartitions; restarting it resolves the alert", async () => {
    await cluster.waitHealthy();
    await cluster.stopBroker(STOPPED_NODE);
    stopped = true;

    const firing = await prometheus.waitFor(
      `${URP} firing`,
      async () => {
        const a = (await urpAlerts()).filter((x) => x.state === "firing");
        return a.some((x) => x.labels.severity === "warning") ? a : undefined;
      },
      360_000,
      5_000,
    );
    const warning = firing.find((a) => a.labels.severity === "warning")!;
    expect(warning.labels).toEqual({
      alertname: URP,
      severity: "warning",
      namespace: "kafka",
      strimzi_io_cluster: "chat-kafka",
    });
    expect(Number(warning.value)).toBeGreaterThan(0);
    expect(warning.annotations).toEqual({
      summary: "Kafka partitions are under-replicated.",
      description: `Cluster chat-kafka in kafka has ${Number(warning.value)} under-replicated partitions (threshold 0).`,
      runbook_url:
        "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks/KafkaUnderReplicatedPartitions.md",
    });
    // The node is gone from its target too: the broker-down alert is on its way (3m hold).
    const down = (await prometheus.api.alerts()).find(
      (a) => a.labels.alertname === "KafkaBrokerDown",
    );
    expect(down?.labels).toMatchObject({
      severity: "critical",
      namespace: "kafka",
      strimzi_io_cluster: "chat-kafka",
    });

    cluster.startBroker(STOPPED_NODE);
    await cluster.waitHealthy({ timeoutMs: 300_000 });
    stopped = false;

    await prometheus.waitFor(
      `${URP} resolved`,
      async () => ((await urpAlerts()).length === 0 ? true : undefined),
      120_000,
      5_000,
    );
    expect(await urpAlerts()).toEqual([]);
  }, 900_000);
});
