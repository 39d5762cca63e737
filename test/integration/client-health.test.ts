import { describe, expect, it } from "vitest";
import { createEnvelope, createKafkaClient, encodeEnvelope } from "../../client/index.ts";
import {
  CLIENT_METRICS,
  type MetricAttributes,
  type MetricsSink,
} from "../../client/metric-names.ts";
import {
  connectionFor,
  createTopics,
  freshTenant,
  chatMessageSent,
  produceInTransactions,
  waitFor,
} from "./client-helpers.ts";

/** Records the lag gauges health() reports, keyed by partition. */
function gaugeRecorder(): { sink: MetricsSink; lagGauges: Map<number, number> } {
  const lagGauges = new Map<number, number>();
  const sink: MetricsSink = {
    count: () => undefined,
    record: () => undefined,
    gauge: (name, value, attributes: MetricAttributes) => {
      if (name === CLIENT_METRICS.consumerLag) lagGauges.set(Number(attributes.partition), value);
    },
  };
  return { sink, lagGauges };
}

describe("consumer health on the real cluster", () => {
  it("reports connection, assignment and per-partition lag: exact while a handler is held, 0 once caught up", async () => {
    const tenant = freshTenant("h");
    const topic = `chat.messages.${tenant}` as const;
    const partitions = 3;
    await createTopics([topic], partitions);

    // 40 messages written before the consumer starts: each partition's end offset is its count.
    const perPartition = new Map<number, number>();
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    try {
      for (let n = 0; n < 40; n++) {
        const delivery = await producer.send(
          topic,
          chatMessageSent(tenant, `conv-${n % 10}`, `m-${n}`, `#${n}`),
        );
        perPartition.set(delivery.partition, (perPartition.get(delivery.partition) ?? 0) + 1);
      }
    } finally {
      await producer.disconnect();
    }
    // conv-0..conv-9 hash (murmur2) onto all three partitions, so every partition has lag.
    expect([...perPartition.keys()].sort()).toEqual([0, 1, 2]);

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const processed = new Map<number, number>();
    let calls = 0;
    let blockedPartition: number | undefined;
    const { sink, lagGauges } = gaugeRecorder();
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
      metrics: sink,
    }).consumer({
      topics: [topic],
      concurrency: 1,
      maxBatchSize: 4,
      handler: async (_envelope, ctx) => {
        if (++calls === 5) {
          blockedPartition = ctx.partition;
          await gate;
        }
        processed.set(ctx.partition, (processed.get(ctx.partition) ?? 0) + 1);
      },
    });

    const before = consumer.health();
    expect(before).toMatchObject({ connected: false, running: false, assignment: [] });
    expect(before.totalLag).toBe(0);

    try {
      await consumer.start();
      await waitFor(() => blockedPartition !== undefined, 60_000, "the fifth message");

      // Held on the fifth message: batches of at most 4 came before it, so at least one
      // partition has finished a batch. A finished partition's lag is exactly what it has not
      // processed; the held partition's lag is from its last finished batch, if any.
      const held = consumer.health();
      expect(held.connected).toBe(true);
      expect(held.running).toBe(true);
      expect(held.lastError).toBeUndefined();
      expect(held.assignment.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
      expect(held.assignment.every((p) => p.topic === topic)).toBe(true);
      const withLag = held.assignment.filter((p) => p.lag !== undefined);
      expect(withLag.length).toBeGreaterThan(0);
      for (const { partition, lag } of withLag) {
        const unprocessed = (perPartition.get(partition) ?? 0) - (processed.get(partition) ?? 0);
        if (partition === blockedPartition) expect(lag).toBeGreaterThanOrEqual(unprocessed);
        else expect(lag).toBe(unprocessed);
      }
      expect(held.totalLag).toBe(withLag.reduce((sum, p) => sum + (p.lag ?? 0), 0));
      expect(held.totalLag).toBeGreaterThan(0);
      for (const { partition, lag } of withLag) expect(lagGauges.get(partition)).toBe(lag);

      release();
      await waitFor(
        () => [...processed.values()].reduce((a, b) => a + b, 0) === 40,
        60_000,
        "all 40 messages processed",
      );
      await waitFor(
        () => consumer.health().assignment.every((p) => p.lag === 0),
        30_000,
        "every partition's lag at 0",
      );
      const caughtUp = consumer.health();
      expect(caughtUp.totalLag).toBe(0);
      expect([...lagGauges.entries()].sort()).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
    } finally {
      release();
      await consumer.stop();
    }
    expect(consumer.health()).toMatchObject({ connected: false, running: false, assignment: [] });
  });

  it("counts no lag for the markers that end transactions once every record is handled", async () => {
    const tenant = freshTenant("hx");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 2);
    // Three transactions of 6 records: each leaves a commit marker in every partition it wrote.
    const batches = [0, 1, 2].map((t) =>
      Array.from({ length: 6 }, (_, n) => {
        const encoded = encodeEnvelope(
          createEnvelope({
            ...chatMessageSent(tenant, `conv-${n}`, `m-${t}-${n}`),
            source: "message-processor",
          }),
        );
        return { key: `conv-${n}`, value: encoded.value, headers: { ...encoded.headers } };
      }),
    );
    await produceInTransactions(topic, batches);

    let handled = 0;
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      handler: () => {
        handled++;
        return Promise.resolve();
      },
    });
    try {
      await consumer.start();
      await waitFor(() => handled === 18, 60_000, "all 18 records handled");
      await waitFor(
        () => consumer.health().assignment.every((p) => p.lag === 0),
        30_000,
        "every partition's lag at 0",
      );
      expect(consumer.health().totalLag).toBe(0);
    } finally {
      await consumer.stop();
    }
  });
});
