import { describe, expect, it } from "vitest";
import {
  createEnvelope,
  createKafkaClient,
  decodeEnvelope,
  encodeEnvelope,
} from "../../client/index.ts";
import {
  adminProducer,
  chatMessageSent,
  connectionFor,
  createTopics,
  deleteTopics,
  freshTenant,
  readTopic,
  waitFor,
} from "./client-helpers.ts";

describe("a topic deleted and created again under the same name (real cluster)", () => {
  it("the running consumer handles every record of the new topic from its first offset, over 4 recreations", async () => {
    const tenant = freshTenant("rc");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 3);
    const writer = await adminProducer();
    const handled = new Set<string>();
    const warnings: string[] = [];
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
      log: (level, message) => {
        if (level !== "info") warnings.push(message);
      },
    }).consumer({
      topics: [topic],
      handler: (envelope) => {
        if (envelope.type === "chat.message.sent") handled.add(envelope.payload.message_id);
        return Promise.resolve();
      },
    });
    /** `count` records in one batch (acks=all), keyed over 30 conversations. */
    const write = async (prefix: string, count: number): Promise<string[]> => {
      const ids = Array.from({ length: count }, (_, n) => `${prefix}-${n}`);
      const messages = ids.map((id, n) => {
        const event = { ...chatMessageSent(tenant, `c-${n % 30}`, id), source: "socket-service" };
        const { value, headers } = encodeEnvelope(createEnvelope(event));
        return { key: `c-${n % 30}`, value, headers };
      });
      await writer.send({ topic, messages });
      return ids;
    };
    try {
      await consumer.start();
      // 30 records, handled and committed: the consumer's positions stand at about 10 per
      // partition. librdkafka keeps them when the topic is deleted; a fetch of the new topic at
      // such a position skips the records before it when they are already there (a fetch beyond
      // the end resets to the beginning instead): a race the batch written at once after each
      // creation wins often enough (2 of 5 single rounds without the module's check).
      const old = await write("old", 30);
      await waitFor(() => old.every((id) => handled.has(id)), 60_000, "the old records");
      const lost: string[] = [];
      for (let round = 1; round <= 4; round++) {
        await deleteTopics([topic]);
        await createTopics([topic], 3);
        const ids = await write(`r${round}`, 300);
        await waitFor(() => ids.every((id) => handled.has(id)), 20_000, `round ${round}`).catch(
          () => undefined,
        );
        // Which side lost a record: the brokers (not in the new topic) or the consumer.
        const stored = new Set(
          (await readTopic(topic, (r) => r.length >= ids.length, { timeoutMs: 20_000 })).map(
            (r) => decodeEnvelope(r.value, r.headers).id,
          ),
        );
        expect(stored.size).toBe(ids.length);
        lost.push(...ids.filter((id) => !handled.has(id)));
      }
      expect(lost, warnings.join("\n")).toEqual([]);
    } finally {
      await consumer.stop();
      await writer.disconnect();
    }
  }, 240_000);

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
