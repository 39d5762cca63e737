import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../client/index.ts";
import {
  addPartitions,
  connectionFor,
  tenantTopicWithMessages,
  waitFor,
} from "./client-helpers.ts";

describe("a consumer whose assignment grows while it has read ahead", () => {
  it("hands every record over once, in order per partition, when partitions are added", async () => {
    const { topic, ids } = await tenantTopicWithMessages("rb", 6, 600, 60);

    // The consumer handles a few messages, then waits at a gate with the rest read ahead and
    // nothing committed yet.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const offsets = new Map<number, bigint[]>();
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      maxBatchSize: 20,
      handler: async (envelope, context) => {
        if (handled.length >= 12) await gate;
        if (envelope.type === "chat.message.sent") handled.push(envelope.payload.message_id);
        offsets.set(context.partition, [
          ...(offsets.get(context.partition) ?? []),
          BigInt(context.offset),
        ]);
      },
    });
    try {
      await consumer.start();
      await waitFor(() => handled.length >= 12, 60_000, "the consumer to reach its gate");
      // Two more partitions: the group assigns them to the consumer while records it read
      // ahead of the others are not yet handled or committed.
      await addPartitions(topic, 8);
      await waitFor(
        () => consumer.health().assignment.length === 8,
        60_000,
        "the consumer to be assigned the new partitions",
      );
      release();
      await waitFor(() => handled.length >= ids.length, 60_000, "every message to be handled");
      // Anything handed over twice would arrive right behind.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      release();
      await consumer.stop();
    }

    expect(handled.length).toBe(ids.length);
    expect(new Set(handled).size).toBe(ids.length);
    for (const [partition, list] of offsets) {
      const increasing = list.every((o, i) => i === 0 || o > (list[i - 1] as bigint));
      expect(increasing, `partition ${partition}: ${list.join(",")}`).toBe(true);
    }
  });

  it("loses nothing when a partition comes back while old records of it were read ahead", async () => {
    // Many records, so the library has read ahead of every partition when they move.
    const { topic, ids } = await tenantTopicWithMessages("rs", 4, 16_000, 400);

    const seen = new Set<string>();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let aHandled = 0;
    const consumerA = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      handler: async (envelope) => {
        if (++aHandled > 10) await gate;
        if (envelope.type === "chat.message.sent") seen.add(envelope.payload.message_id);
      },
    });
    let bHandled = 0;
    const consumerB = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
    }).consumer({
      topics: [topic],
      maxBatchSize: 20,
      handler: (envelope) => {
        bHandled++;
        if (envelope.type === "chat.message.sent") seen.add(envelope.payload.message_id);
        return Promise.resolve();
      },
    });
    try {
      await consumerA.start();
      await waitFor(() => aHandled > 10, 60_000, "member A to reach its gate");
      // B takes some of A's partitions, handles a little of them and leaves; A gets them back
      // and reads them from B's committed offsets, far behind what A had fetched of them.
      await consumerB.start();
      await waitFor(() => bHandled >= 50, 60_000, "member B to handle some messages");
      await consumerB.stop();
      await waitFor(
        () => consumerA.health().assignment.length === 4,
        60_000,
        "member A to own every partition again",
      );
      release();
      await waitFor(() => seen.size === ids.length, 90_000, "every message to be handled");
    } finally {
      release();
      await consumerA.stop();
      await consumerB.stop();
    }
    expect(seen.size).toBe(ids.length);
  });
});
