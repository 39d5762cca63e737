import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../client/index.ts";
import {
  connectionFor,
  createTopics,
  freshTenant,
  chatMessageSent,
  waitFor,
} from "./client-helpers.ts";

describe("per-key ordering on the real cluster", () => {
  it("a consumer with partition concurrency sees each conversation's messages in send order, keyed by conversation", async () => {
    const tenant = freshTenant();
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 6);
    const conversations = Array.from({ length: 8 }, (_, i) => `conv-${i}`);
    const perConversation = 60;

    const seen = new Map<string, number[]>();
    const keys = new Map<string, string | null>();
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      concurrency: 6,
      handler: async (envelope, ctx) => {
        if (envelope.type !== "chat.message.sent") throw new Error(`unexpected ${envelope.type}`);
        const { conversation_id, message_id } = envelope.payload;
        // A little work so partitions really interleave.
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        const list = seen.get(conversation_id) ?? [];
        list.push(Number(message_id.split("-").at(-1)));
        seen.set(conversation_id, list);
        keys.set(message_id, ctx.key);
      },
    });
    void consumer.start();

    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    try {
      const pending: Promise<unknown>[] = [];
      for (let n = 0; n < perConversation; n++) {
        for (const c of conversations) {
          pending.push(producer.send(topic, chatMessageSent(tenant, c, `${c}-${n}`, `#${n}`)));
        }
      }
      await Promise.all(pending);
      await waitFor(
        () =>
          [...seen.values()].reduce((s, l) => s + l.length, 0) >=
          conversations.length * perConversation,
        90_000,
        "all messages consumed",
      );
    } finally {
      await producer.disconnect();
      await consumer.stop();
    }
    for (const c of conversations) {
      expect(seen.get(c)).toEqual(Array.from({ length: perConversation }, (_, n) => n));
    }
    expect(keys.get("conv-3-7")).toBe("conv-3");
  });
});
