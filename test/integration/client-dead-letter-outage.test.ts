import {
  type Acl,
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../client/index.ts";
import { DEAD_LETTER_HEADERS, deadLetterTopicFor } from "../../topics/policy.ts";
import {
  connectionFor,
  createTopics,
  freshTenant,
  readTopic,
  chatMessageSent,
  waitFor,
} from "./client-helpers.ts";
import { awaitMetadataOnEveryBroker } from "../../local/apply/scram.ts";
import { clientOptions, serviceCredential, testCluster } from "./support/cluster.ts";

const H = DEAD_LETTER_HEADERS;

describe("a dead-letter topic that cannot be written, on the real cluster", () => {
  it("holds the partition at the failed message and commits nothing past it; once writing is allowed again, a new dead-letter producer gets a producer id and the message is dead-lettered", async () => {
    const tenant = freshTenant("dlo");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 1);
    const dlq = deadLetterTopicFor("search-indexer");

    // A DENY binding outranks the catalog's ALLOW: search-indexer cannot write its DLQ, its only
    // writable topic, so the broker refuses its idempotent producer an id (as for a service that
    // starts before its KafkaUser's ACLs are in place). librdkafka takes that refusal as fatal:
    // each dead letter fails, and the consumer replaces its dead-letter producer before the next try.
    const denyWrite = {
      resourceType: ResourceTypes.TOPIC,
      resourceName: dlq,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: `User:${serviceCredential("search-indexer").username}`,
      host: "*",
      operation: AclOperations.WRITE,
      permissionType: AclPermissionTypes.DENY,
    } as Acl;
    const admin = new Admin({ clientId: "dlq-outage-test", ...clientOptions() });
    let denied = false;
    // Each broker applies an ACL change on its own: the barrier returns once every broker holds
    // it. In a CI run under load the DENY had not reached the DLQ's leader yet, the dead letter
    // went through, and m-bad was never read again.
    const { bootstrapServers, caPemPath, admin: clusterAdmin } = testCluster();
    const everyBroker = (): Promise<void> =>
      awaitMetadataOnEveryBroker({ bootstrapServers, caPemPath, admin: clusterAdmin });
    const allowWritingAgain = async (): Promise<void> => {
      if (!denied) return;
      await admin.deleteAcls({ filters: [denyWrite] });
      denied = false;
      await everyBroker();
    };

    const attempts: string[] = [];
    const handled: string[] = [];
    const errors: string[] = [];
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
      log: (level, line) => {
        if (level === "error") errors.push(line);
      },
    }).consumer({
      topics: [topic],
      retry: { maxAttempts: 1, backoff: { initialMs: 10, maxMs: 10, multiplier: 1 } },
      handler: (envelope) => {
        if (envelope.type !== "chat.message.sent") return Promise.resolve();
        const id = envelope.payload.message_id;
        attempts.push(id);
        if (id === "m-bad") return Promise.reject(new Error(`cannot index ${id}`));
        handled.push(id);
        return Promise.resolve();
      },
    });
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    const send = (id: string) => producer.send(topic, chatMessageSent(tenant, "c1", id));
    const committed = async (): Promise<bigint | undefined> => {
      const groups = await admin.listConsumerGroupOffsets({ groups: ["search-indexer"] });
      const mine = groups[0]?.topics.find((t) => t.name === topic);
      return mine?.partitions.find((p) => p.partitionIndex === 0)?.committedOffset;
    };
    // The DENY goes in only now, and every way out of the try below takes it away again.
    await admin.createAcls({ creations: [denyWrite] });
    denied = true;
    await everyBroker();
    try {
      await send("m-first");
      const bad = await send("m-bad");
      await send("m-after");
      try {
        void consumer.start();

        // While the DLQ refuses writes, the failed message is read and tried again (the
        // consumer seeks back to it), the message after it is never handed to the handler, and
        // the group's committed offset stays at the failed message.
        await waitFor(
          () => attempts.filter((id) => id === "m-bad").length >= 3,
          60_000,
          "m-bad to be read again after its dead letter failed",
        );
        expect(handled).toEqual(["m-first"]);
        expect(await committed()).toBe(BigInt(bad.offset));
        expect(errors.some((line) => line.includes(`${topic}/0`))).toBe(true);
        expect(consumer.health().lastError).toBeDefined();

        await allowWritingAgain();
        await waitFor(
          () => handled.includes("m-after"),
          60_000,
          "m-after once the DLQ is writable",
        );
        expect(handled).toEqual(["m-first", "m-after"]);

        const letters = await readTopic(dlq, (r) =>
          r.some((x) => x.headers[H.originalTopic] === topic),
        );
        const mine = letters.filter((x) => x.headers[H.originalTopic] === topic);
        expect(mine.map((x) => x.headers[H.originalOffset])).toEqual([bad.offset]);
        expect(mine[0]?.headers[H.attempts]).toBe("1");
      } finally {
        await allowWritingAgain();
        await consumer.stop();
      }

      // The group resumes after m-after: a restarted consumer reads only what came later.
      const last = await send("m-last");
      const again: string[] = [];
      const restarted = createKafkaClient({
        service: "search-indexer",
        connection: connectionFor("search-indexer"),
      }).consumer({
        topics: [topic],
        handler: (envelope) => {
          if (envelope.type === "chat.message.sent") again.push(envelope.payload.message_id);
          return Promise.resolve();
        },
      });
      await restarted.start();
      try {
        await waitFor(() => again.includes("m-last"), 60_000, "m-last in the restarted consumer");
      } finally {
        await restarted.stop();
      }
      expect(again).toEqual(["m-last"]);
      expect(await committed()).toBe(BigInt(last.offset) + 1n);
    } finally {
      await allowWritingAgain();
      await producer.disconnect();
      await admin.close();
    }
  });
});
