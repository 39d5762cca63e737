import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../client/index.ts";
import { DEAD_LETTER_HEADERS, deadLetterTopicFor } from "../../topics/policy.ts";
import {
  connectionFor,
  createTopics,
  freshTenant,
  produceRaw,
  readTopic,
  chatMessageSent,
  waitFor,
} from "./client-helpers.ts";

const H = DEAD_LETTER_HEADERS;

describe("dead letters on the real cluster", () => {
  it("a message that keeps failing goes to dlq.<service> after bounded retries, a poison message at once, with every header", async () => {
    const tenant = freshTenant("dl");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 1);
    const dlq = deadLetterTopicFor("search-indexer");

    const attempts = new Map<string, number[]>();
    const handled: string[] = [];
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      retry: { maxAttempts: 3, backoff: { initialMs: 50, maxMs: 200, multiplier: 2 } },
      handler: async (envelope, ctx) => {
        if (envelope.type !== "chat.message.sent") return;
        const id = envelope.payload.message_id;
        attempts.set(id, [...(attempts.get(id) ?? []), ctx.attempt]);
        if (envelope.payload.text === "always fails") throw new Error(`cannot index ${id}`);
        handled.push(id);
        return Promise.resolve();
      },
    });
    void consumer.start();
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    const send = (id: string, text: string) =>
      producer.send(topic, chatMessageSent(tenant, "c1", id, text));
    try {
      await send("m-before", "fine");
      const failing = await send("m-failing", "always fails");
      await produceRaw(topic, [
        { key: "c1", value: "{not an envelope", headers: { "x-origin": "test" } },
      ]);
      await send("m-after", "fine");
      await waitFor(() => handled.includes("m-after"), 60_000, "the message after the failures");

      const letters = await readTopic(
        dlq,
        (r) => r.filter((x) => x.headers[H.originalTopic] === topic).length >= 2,
      );
      const mine = letters.filter((x) => x.headers[H.originalTopic] === topic);
      expect(mine).toHaveLength(2);
      const [exhausted, poison] = mine.sort(
        (a, b) => Number(a.headers[H.originalOffset]) - Number(b.headers[H.originalOffset]),
      );

      expect(attempts.get("m-failing")).toEqual([1, 2, 3]);
      expect(exhausted?.key).toBe("c1");
      expect(exhausted?.headers).toMatchObject({
        [H.originalTopic]: topic,
        [H.originalPartition]: "0",
        [H.originalOffset]: failing.offset,
        [H.error]: "Error: cannot index m-failing",
        [H.attempts]: "3",
        [H.service]: "search-indexer",
        "content-type": "application/vnd.kafka-platform.envelope+json; version=1",
      });
      expect(Number(exhausted?.headers[H.originalTimestamp])).toBeGreaterThan(Date.now() - 120_000);
      expect(JSON.parse(exhausted?.value?.toString() ?? "{}")).toMatchObject({
        id: failing.envelope.id,
      });

      expect(poison?.value?.toString()).toBe("{not an envelope");
      expect(poison?.headers).toMatchObject({
        [H.originalTopic]: topic,
        [H.originalOffset]: String(Number(failing.offset) + 1),
        [H.attempts]: "0",
        [H.service]: "search-indexer",
        "x-origin": "test",
      });
      expect(poison?.headers[H.error]).toMatch(/^EnvelopeError: cannot decode message: .*not JSON/);
      expect(handled).toEqual(["m-before", "m-after"]);
    } finally {
      await producer.disconnect();
      await consumer.stop();
    }
  });
});
