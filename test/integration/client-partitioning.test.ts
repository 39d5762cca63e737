import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../client/index.ts";
import { connectionFor, freshTenant } from "./client-helpers.ts";

describe("key to partition on the real cluster", () => {
  it("the plain and the transactional producer put each key on the same partition", async () => {
    // Two librdkafka producers, one transactional; per-key order across them (and with Java
    // clients) holds only if both hash keys alike (murmur2, as Java).
    const tenant = freshTenant("part");
    const kafka = createKafkaClient({
      service: "message-processor",
      connection: connectionFor("message-processor"),
    });
    const event = (conversation: string) => ({
      type: "chat.message.persisted" as const,
      tenantId: tenant,
      payload: {
        conversation_id: conversation,
        message_id: `${conversation}-m`,
        sequence: 0,
        persisted_at: new Date().toISOString(),
      },
    });
    const conversations = Array.from({ length: 24 }, (_, i) => `${tenant}-c${i}`);
    const plain = await kafka.producer();
    const transactional = await kafka.transactionalProducer(`${tenant}-0`);
    try {
      const viaPlain = await Promise.all(
        conversations.map((c) => plain.send("chat.events", event(c))),
      );
      const viaTransaction = await transactional.transaction((out) =>
        Promise.all(conversations.map((c) => out.send("chat.events", event(c)))),
      );
      const partitionsPlain = viaPlain.map((d) => d.partition);
      expect(viaTransaction.map((d) => d.partition)).toEqual(partitionsPlain);
      // The keys really spread, so the comparison is not trivially one partition.
      expect(new Set(partitionsPlain).size).toBeGreaterThan(1);

      // analytics.events has 24 partitions: a count that is not a power of two is where an
      // unsigned reading of the hash would differ from Java's positive one.
      const tracked = (user: string) => ({
        type: "analytics.event.tracked" as const,
        tenantId: tenant,
        payload: {
          user_id: user,
          name: "opened",
          properties: {},
          occurred_at: new Date().toISOString(),
        },
      });
      const users = Array.from({ length: 48 }, (_, i) => `${tenant}-u${i}`);
      const analyticsPlain = await Promise.all(
        users.map((u) => plain.send("analytics.events", tracked(u))),
      );
      const analyticsTransaction = await transactional.transaction((out) =>
        Promise.all(users.map((u) => out.send("analytics.events", tracked(u)))),
      );
      expect(analyticsTransaction.map((d) => d.partition)).toEqual(
        analyticsPlain.map((d) => d.partition),
      );
    } finally {
      await plain.disconnect();
      await transactional.disconnect();
    }
  });
});
