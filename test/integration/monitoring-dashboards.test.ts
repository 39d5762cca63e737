import { partitionOffsets } from "../../local/topic-queries.ts";
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertContextFromModel } from "../../alerts/context.ts";
import { dashboardQueries, dashboardSpecs } from "../../dashboards/index.ts";
import { LagProbe } from "../../local/prometheus/lag-probe.ts";
import {
  LAG_PROBE_PORT_OFFSET,
  localMonitoring,
  monitoringModel,
} from "../../local/prometheus/local-monitoring.ts";
import { clientOptions, testCluster } from "./support/cluster.ts";

/**
 * Every dashboard query that can be answered without Kubernetes returns data from the live
 * local cluster: broker/controller metrics from the JMX exporter, consumer lag from the lag
 * probe (Kafka Exporter format; see local/prometheus/lag-probe.ts for why not the exporter).
 * Kubernetes-only queries (kubelet, kube-state-metrics) and the services' client metrics have
 * no source here; the test names them instead of skipping them silently.
 */
const model = monitoringModel("dev");
const ctx = alertContextFromModel(model);
const queries = dashboardSpecs(model).flatMap(dashboardQueries);
const live = queries.filter(
  (q) => q.panel.source === "kafka" || q.panel.source === "kafka-exporter",
);
const TOPIC = "analytics.events";
const GROUP = "analytics-service";
const MESSAGES = 240;
/** Sum of the topic's end offsets once the test's messages are written (set in beforeAll). */
let expectedLag = 0;

describe("dashboard queries on the live local cluster", () => {
  const info = testCluster();
  const probe = new LagProbe({
    connection: clientOptions(),
    groups: ctx.consumerGroups,
    port: info.portBase + LAG_PROBE_PORT_OFFSET,
  });
  const prometheus = localMonitoring({
    instance: info.instance,
    portBase: info.portBase,
    nodes: info.nodes,
    extraJobs: [
      {
        job: `${ctx.namespace}/${ctx.cluster}-kafka-exporter`,
        targets: [
          {
            address: probe.address,
            labels: {
              namespace: ctx.namespace,
              pod: `${ctx.cluster}-kafka-exporter-local`,
              strimzi_io_cluster: ctx.cluster,
              strimzi_io_kind: "Kafka",
              strimzi_io_name: `${ctx.cluster}-kafka-exporter`,
              strimzi_io_component_type: "kafka-exporter",
            },
          },
        ],
      },
    ],
    log: (l) => console.log(`[prometheus] ${l}`),
  });

  beforeAll(async () => {
    // Traffic: messages on a catalog topic, and a catalog group whose committed offsets are 0.
    const producer = new Producer({
      clientId: "monitoring-test",
      ...clientOptions(),
      acks: ProduceAcks.ALL,
    });
    try {
      for (let i = 0; i < MESSAGES; i += 40) {
        await producer.send({
          messages: Array.from({ length: 40 }, (_, j) => ({
            topic: TOPIC,
            key: Buffer.from(`k${(i + j) % 7}`),
            value: Buffer.from(JSON.stringify({ n: i + j })),
          })),
        });
      }
    } finally {
      await producer.close();
    }
    const admin = new Admin({ clientId: "monitoring-test", ...clientOptions() });
    try {
      const meta = await admin.metadata({ topics: [TOPIC] });
      const partitions = meta.topics.get(TOPIC)!.partitions.map((_, i) => i);
      // The topic is shared with other test files, so the lag to expect is what the broker holds
      // (every message since offset 0), not only the messages written here.
      const latest = await partitionOffsets(admin, TOPIC, partitions.length, "latest");
      expectedLag = Number([...latest.values()].reduce((a, b) => a + b, 0n));
      // Every catalog group gets committed offsets (0) on the topic, so each per-group panel has data.
      for (const group of ctx.consumerGroups) {
        await admin.alterConsumerGroupOffsets({
          groupId: group,
          topics: [
            {
              name: TOPIC,
              partitionOffsets: partitions.map((p) => ({ partition: p, offset: 0n })),
            },
          ],
        });
      }
    } finally {
      await admin.close();
    }
    // A consumer reads some of it, so bytes-out and consumer-fetch metrics exist.
    const consumer = new Consumer({
      clientId: "monitoring-test",
      groupId: `monitoring-test-${Date.now()}`,
      ...clientOptions(),
      autocommit: false,
    });
    try {
      const stream = await consumer.consume({
        topics: [TOPIC],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
      });
      let read = 0;
      const timer = setTimeout(() => void stream.close(), 60_000);
      for await (const message of stream) {
        if (message.topic === TOPIC) read += 1;
        if (read >= 40) break;
      }
      clearTimeout(timer);
      await stream.close().catch(() => {});
    } finally {
      await consumer.close(true).catch(() => {});
    }
    await probe.start();
    await prometheus.start();
    await prometheus.waitForTargets(4, 240_000);
    // rate() needs two samples of each series.
    await new Promise((r) => setTimeout(r, 25_000));
  });

  afterAll(async () => {
    await prometheus.stop();
    await probe.stop();
  });

  it("only Kubernetes-only and client-side queries are left out, by name", () => {
    const left = queries
      .filter((q) => !live.includes(q))
      .map((q) => `${q.panel.source}: ${q.panel.title}`);
    expect(left.every((l) => l.startsWith("kubernetes: ") || l.startsWith("client: "))).toBe(true);
    expect(left.filter((l) => l.startsWith("kubernetes: "))).toEqual(["kubernetes: Volume usage"]);
    expect(live.length).toBeGreaterThan(35);
  });

  it("the lag probe reports the real lag of a catalog group that committed offset 0", async () => {
    const r = await prometheus.api.query(
      `sum by (consumergroup) (kafka_consumergroup_lag{namespace="kafka", strimzi_io_cluster="chat-kafka", consumergroup="${GROUP}", topic="${TOPIC}"} >= 0)`,
    );
    expect(r).toHaveLength(1);
    expect(expectedLag).toBeGreaterThanOrEqual(MESSAGES);
    expect(Number(r[0]!.value[1])).toBe(expectedLag);
  });

  it.each(live.map((q) => [`${q.dashboard} / ${q.panel.title}`, q.expr] as const))(
    "%s returns data",
    async (_name, expr) => {
      const result = await prometheus.api.query(expr);
      expect(result.length, expr).toBeGreaterThan(0);
      expect(
        result.some((s) => Number.isFinite(Number(s.value[1]))),
        `${expr} -> ${JSON.stringify(result)}`,
      ).toBe(true);
    },
  );
});
