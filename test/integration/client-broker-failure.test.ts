import { describe, expect, it } from "vitest";
import { createKafkaClient, decodeEnvelope } from "../../client/index.ts";
import { connectionFor, createTopics, freshTenant, readTopic, sentAt } from "./client-helpers.ts";
import { testClusterControl } from "./support/cluster.ts";

describe("a broker stopped during production (real cluster)", () => {
  it("loses nothing that was acknowledged; the broker is back and healthy at the end", async () => {
    const tenant = freshTenant("bf");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 6);
    const cluster = testClusterControl();
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    const acknowledged = new Set<string>();
    const failed: string[] = [];
    let stopping: Promise<void> | undefined;
    try {
      for (let round = 0; round < 20; round++) {
        // The broker goes down while round 4's sends are in flight.
        if (round === 4) stopping = cluster.stopBroker(1);
        const batch = Array.from({ length: 100 }, (_, i) => `r${round}-${i}`);
        const results = await Promise.allSettled(
          batch.map((id) =>
            producer.send(topic, {
              type: "chat.message.sent",
              tenantId: tenant,
              payload: {
                conversation_id: `c-${id}`,
                message_id: id,
                sender_id: "u",
                text: id,
                sent_at: sentAt(),
              },
            }),
          ),
        );
        results.forEach((r, i) =>
          r.status === "fulfilled" ? acknowledged.add(batch[i] ?? "") : failed.push(batch[i] ?? ""),
        );
        if (round === 4) await stopping;
      }
    } finally {
      await producer.disconnect();
      if (stopping !== undefined) {
        await stopping;
        cluster.startBroker(1);
        await cluster.waitHealthy({ timeoutMs: 180_000 });
      }
    }
    expect(stopping).toBeDefined();
    // Two of three replicas stay in sync (min.insync.replicas 2): acks=all writes keep succeeding.
    expect(failed).toEqual([]);
    expect(acknowledged.size).toBe(2000);
    const records = await readTopic(topic, (r) => r.length >= acknowledged.size, {
      timeoutMs: 90_000,
    });
    const read = new Set(
      records
        .map((r) => decodeEnvelope(r.value, r.headers))
        .flatMap((e) => (e.type === "chat.message.sent" ? [e.payload.message_id] : [])),
    );
    expect([...acknowledged].filter((id) => !read.has(id))).toEqual([]);
    expect(records.length).toBe(acknowledged.size);
  }, 480_000);
});
