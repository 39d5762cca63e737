import { describe, expect, it } from "vitest";
import { createKafkaClient, decodeEnvelope, type Delivery } from "../../client/index.ts";
import {
  chatMessageSent,
  connectionFor,
  createTopics,
  deleteTopics,
  freshTenant,
  readTopic,
} from "./client-helpers.ts";

describe("the producer on the real cluster", () => {
  it("gives every record of a multi-partition send its own offset, in send order per partition", async () => {
    const tenant = freshTenant("pb");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 12);
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer({ lingerMs: 50 });
    // Indexed by send order.
    const deliveries: Delivery[] = [];
    try {
      // Sent in one tick: the linger gathers them into batches over all 12 partitions.
      await new Promise<void>((resolve, reject) => {
        let settled = 0;
        for (let i = 0; i < 600; i++) {
          producer.sendAndForget(
            topic,
            chatMessageSent(tenant, `c${i % 40}`, `m-${i}`),
            (error, delivery) => {
              if (error !== undefined) reject(error);
              else if (delivery !== undefined) deliveries[i] = delivery;
              if (++settled === 600) resolve();
            },
          );
        }
      });
    } finally {
      await producer.disconnect();
    }
    expect(deliveries.filter(Boolean)).toHaveLength(600);
    expect(new Set(deliveries.map((d) => d.partition)).size).toBe(12);
    // Read back: the record at each reported (partition, offset) is the one reported.
    const records = await readTopic(topic, (r) => r.length >= 600);
    expect(records).toHaveLength(600);
    const at = new Map(
      records.map((r) => [`${r.partition}:${r.offset}`, decodeEnvelope(r.value, r.headers).id]),
    );
    for (const d of deliveries) expect(at.get(`${d.partition}:${d.offset}`)).toBe(d.envelope.id);
    // Within a partition, offsets follow the send order.
    const byPartition = new Map<number, number[]>();
    for (const d of deliveries) {
      const list = byPartition.get(d.partition) ?? [];
      list.push(Number(d.offset));
      byPartition.set(d.partition, list);
    }
    for (const offsets of byPartition.values())
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it("fails records for a topic it may not write or that does not exist, at once and with the broker's reason, without holding back the others", async () => {
    const tenant = freshTenant("pr");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 6);
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    try {
      const started = Date.now();
      const [refused, missing, allowed] = await Promise.allSettled([
        producer.sendRaw("audit.log", { key: "k", value: Buffer.from("x"), headers: {} }),
        producer.sendRaw(`chat.messages.${tenant}absent`, {
          key: "k",
          value: Buffer.from("x"),
          headers: {},
        }),
        producer.send(topic, chatMessageSent(tenant, "c1", "m-1")),
      ]);
      expect(allowed.status).toBe("fulfilled");
      expect(refused.status).toBe("rejected");
      expect(String((refused as PromiseRejectedResult).reason)).toMatch(
        /audit\.log.*(authori[sz]ation|not authorized)/i,
      );
      expect(missing.status).toBe("rejected");
      expect(String((missing as PromiseRejectedResult).reason)).toMatch(
        new RegExp(
          `chat\\.messages\\.${tenant}absent.*(unknown|does not exist|not authorized)`,
          "i",
        ),
      );
      // Well inside the 120 s delivery timeout: nothing waited for it.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await producer.disconnect();
    }
  });

  it("a topic deleted while the service still sends to it fails only its own records; the other topic's all arrive", async () => {
    const gone = freshTenant("pg");
    const kept = freshTenant("pk");
    const goneTopic = `chat.messages.${gone}` as const;
    const keptTopic = `chat.messages.${kept}` as const;
    await createTopics([goneTopic, keptTopic], 3);
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    // Outcomes are taken as each send settles: a rejection must not wait for a later handler.
    const outcome = (sent: Promise<unknown>): Promise<PromiseSettledResult<unknown>> =>
      sent.then(
        (value) => ({ status: "fulfilled" as const, value }),
        (reason: unknown) => ({ status: "rejected" as const, reason }),
      );
    const keptResults: Promise<PromiseSettledResult<unknown>>[] = [];
    const goneResults: Promise<PromiseSettledResult<unknown>>[] = [];
    try {
      // Sends to both topics for 12 s; the first is deleted after 3 s, while records for it are
      // in flight.
      const started = Date.now();
      let deleted: Promise<void> | undefined;
      for (let i = 0; Date.now() - started < 12_000; i++) {
        if (deleted === undefined && Date.now() - started > 3_000)
          deleted = deleteTopics([goneTopic]);
        goneResults.push(
          outcome(producer.send(goneTopic, chatMessageSent(gone, `c${i % 5}`, `m-${i}`))),
        );
        keptResults.push(
          outcome(producer.send(keptTopic, chatMessageSent(kept, `c${i % 5}`, `m-${i}`))),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      await deleted;
      const keptSettled = await Promise.all(keptResults);
      const goneSettled = await Promise.all(goneResults);
      expect(keptSettled.filter((r) => r.status === "rejected")).toEqual([]);
      const goneFailures = goneSettled.flatMap((r) =>
        r.status === "rejected" ? [String(r.reason)] : [],
      );
      expect(goneFailures.length).toBeGreaterThan(0);
      // Each failure names its topic (the library's reason varies with the moment: unknown
      // partition, or a request in flight to the deleted partitions' broker connection).
      for (const failure of goneFailures)
        expect(failure).toContain(`cannot write to ${goneTopic}: `);
      // Nothing waited for the 120 s delivery timeout.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      await producer.disconnect();
    }
    const keptRecords = await readTopic(keptTopic, (r) => r.length >= keptResults.length);
    expect(keptRecords).toHaveLength(keptResults.length);
  });
});
