import { isAlive } from "../../local/supervisor.ts";
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { afterAll, describe, expect, it } from "vitest";
import { clientOptions, testClusterControl } from "./support/cluster.ts";

/**
 * With one of the three nodes stopped, an acks=all producer (min.insync.replicas 2) keeps
 * succeeding, and every acknowledged message is read back after the node returns.
 */
const TOPIC = `local-test.broker-failure-${Date.now()}`;
const MESSAGES = 300;

describe("one broker down", () => {
  const cluster = testClusterControl();
  let stopped: number | undefined;

  afterAll(async () => {
    // Later test files need a healthy cluster whatever happened here.
    if (stopped !== undefined) cluster.startBroker(stopped);
    await cluster.waitHealthy({ timeoutMs: 180_000 });
  });

  it("keeps acks=all writes going and loses none of them", async () => {
    const admin = new Admin({ clientId: "failure-test", ...clientOptions(), retries: 3 });
    await admin.createTopics({
      topics: [TOPIC],
      partitions: 6,
      replicas: 3,
      configs: [{ name: "min.insync.replicas", value: "2" }],
    });
    const metadata = await admin.metadata({ topics: [TOPIC], forceUpdate: true });
    await admin.close();
    // Stop the leader of partition 0 so that a leader election has to happen.
    const victim = metadata.topics.get(TOPIC)!.partitions[0]!.leader;
    const pid = cluster.runningNodes().find((n) => n.id === victim)!.pid;
    await cluster.waitHealthy();
    await cluster.stopBroker(victim);
    stopped = victim;
    // The node was spawned by the global setup's process, which reaps it asynchronously: until
    // then /proc/<pid> holds a zombie, so ask the supervisor's liveness check, not existsSync.
    expect(isAlive(pid) ? "running" : "gone").toBe("gone");

    const producer = new Producer({
      clientId: "failure-test",
      ...clientOptions(),
      acks: ProduceAcks.ALL,
      idempotent: true,
      retries: 10,
      retryDelay: 500,
    });
    const acked = new Map<string, string>();
    try {
      for (let i = 0; i < MESSAGES; i += 1) {
        const value = `message-${i}`;
        const result = await producer.send({
          messages: [
            { topic: TOPIC, key: Buffer.from(`key-${i % 17}`), value: Buffer.from(value) },
          ],
        });
        const at = result.offsets?.[0];
        expect(at, `ack of ${value}`).toBeDefined();
        acked.set(`${at!.partition}/${at!.offset}`, value);
      }
    } finally {
      await producer.close().catch(() => {});
    }
    expect(acked.size).toBe(MESSAGES);

    cluster.startBroker(victim);
    stopped = undefined;
    await cluster.waitHealthy({ timeoutMs: 180_000 });

    const consumer = new Consumer({
      clientId: "failure-test",
      groupId: `failure-test-${Date.now()}`,
      ...clientOptions(),
      autocommit: false,
    });
    const read = new Map<string, string>();
    try {
      const stream = await consumer.consume({
        topics: [TOPIC],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
      });
      const timer = setTimeout(() => void stream.close(), 90_000);
      for await (const m of stream) {
        read.set(`${m.partition}/${m.offset}`, m.value.toString());
        if (read.size >= MESSAGES) break;
      }
      clearTimeout(timer);
      await stream.close().catch(() => {});
    } finally {
      await consumer.close(true).catch(() => {});
    }
    for (const [position, value] of acked) expect(read.get(position), position).toBe(value);
  });
});
