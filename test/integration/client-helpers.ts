import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { Admin } from "@platformatic/kafka";
import { createKafkaClient } from "../../client/index.ts";
import { afterAll } from "vitest";
import type { ConnectionConfig } from "../../client/config.ts";
import type { ServiceName } from "../../client/topic-types.ts";
import { TOPIC_MIN_INSYNC_REPLICAS, TOPIC_REPLICATION_FACTOR } from "../../topics/policy.ts";
import { clientOptions, serviceCredential, testCluster } from "./support/cluster.ts";

/** Shared by the client-*.test.ts files: connections, fresh tenant topics, read-back as admin. */

export function connectionFor(service: ServiceName | "platform-admin"): ConnectionConfig {
  const info = testCluster();
  const credential = service === "platform-admin" ? info.admin : serviceCredential(service);
  return {
    bootstrapServers: info.bootstrapServers,
    username: credential.username,
    password: credential.password,
    caPem: readFileSync(info.caPemPath, "utf8"),
  };
}

function adminKafka(): KafkaJS.Kafka {
  const c = connectionFor("platform-admin");
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...c.bootstrapServers],
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: c.username, password: c.password },
      logLevel: KafkaJS.logLevel.NOTHING,
    },
    "ssl.ca.pem": c.caPem,
  });
}

/** A new tenant name, so each test has its own chat.messages.<tenant> topic. */
export function freshTenant(prefix = "t"): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}

/** Topics this test file created; deleted after its tests so no other file sees them. */
const createdTopics = new Set<string>();

afterAll(async () => {
  if (createdTopics.size === 0) return;
  const admin = adminKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...createdTopics] });
    createdTopics.clear();
  } finally {
    await admin.disconnect();
  }
});

/** Creates topics as the admin with the catalog's replication settings (deleted after the file). */
export async function createTopics(topics: readonly string[], partitions = 6): Promise<void> {
  const admin = adminKafka().admin();
  await admin.connect();
  for (const topic of topics) createdTopics.add(topic);
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: TOPIC_REPLICATION_FACTOR,
        configEntries: [{ name: "min.insync.replicas", value: String(TOPIC_MIN_INSYNC_REPLICAS) }],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Grows a topic to `count` partitions (as the admin). */
export async function addPartitions(topic: string, count: number): Promise<void> {
  const admin = new Admin({ clientId: "test-add-partitions", ...clientOptions() });
  try {
    await admin.createPartitions({ topics: [{ name: topic, count }] });
  } finally {
    await admin.close();
  }
}

/** Deletes topics created by createTopics before the file ends (as the admin). */
export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const admin = adminKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
    for (const topic of topics) createdTopics.delete(topic);
  } finally {
    await admin.disconnect();
  }
}

/** A connected producer of the admin (acks=all): one `send` writes a whole batch at once. */
export async function adminProducer(): Promise<KafkaJS.Producer> {
  const producer = adminKafka().producer({ kafkaJS: { acks: -1 } });
  await producer.connect();
  return producer;
}

/** Raw bytes into a topic as the admin (poison messages). */
export async function produceRaw(topic: string, messages: KafkaJS.Message[]): Promise<void> {
  const producer = adminKafka().producer({ kafkaJS: { acks: -1 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Messages written as the admin, each batch in a transaction of its own (committed). */
export async function produceInTransactions(
  topic: string,
  batches: readonly KafkaJS.Message[][],
): Promise<void> {
  const producer = adminKafka().producer({
    kafkaJS: { transactionalId: `test-tx-${randomBytes(4).toString("hex")}`, idempotent: true },
  });
  await producer.connect();
  try {
    for (const messages of batches) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages });
      await transaction.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning as the admin (a throwaway group) until `done` says so or
 * `timeoutMs` passes; read_committed unless told otherwise.
 */
export async function readTopic(
  topic: string,
  done: (records: readonly ReadRecord[]) => boolean,
  options: { timeoutMs?: number; readCommitted?: boolean } = {},
): Promise<ReadRecord[]> {
  const consumer = adminKafka().consumer({
    kafkaJS: {
      groupId: `verify-${randomBytes(6).toString("hex")}`,
      fromBeginning: true,
      autoCommit: false,
    },
    "isolation.level": options.readCommitted === false ? "read_uncommitted" : "read_committed",
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            const last: unknown = Array.isArray(v) ? v[v.length - 1] : v;
            if (Buffer.isBuffer(last) || typeof last === "string") headers[k] = last.toString();
          }
          records.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value,
            headers,
          });
          if (done(records)) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Polls `check` until it is true or the time is up. */
export async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sentAt = (): string => new Date().toISOString();

/** A chat.message.sent event of `tenant`, keyed by `conversation`; the text defaults to the id. */
export function chatMessageSent(
  tenant: string,
  conversation: string,
  messageId: string,
  text = messageId,
) {
  return {
    type: "chat.message.sent" as const,
    tenantId: tenant,
    payload: {
      conversation_id: conversation,
      message_id: messageId,
      sender_id: "u1",
      text,
      sent_at: sentAt(),
    },
  };
}

/**
 * A fresh tenant topic with `partitions` partitions and `count` chat messages (ids m-0...),
 * keyed over `conversations` conversations.
 */
export async function tenantTopicWithMessages(
  prefix: string,
  partitions: number,
  count: number,
  conversations: number,
): Promise<{ topic: `chat.messages.${string}`; ids: string[] }> {
  const tenant = freshTenant(prefix);
  const topic = `chat.messages.${tenant}` as const;
  await createTopics([topic], partitions);
  const ids = Array.from({ length: count }, (_, n) => `m-${n}`);
  const producer = await createKafkaClient({
    service: "socket-service",
    connection: connectionFor("socket-service"),
  }).producer();
  try {
    await Promise.all(
      ids.map((id, n) =>
        producer.send(topic, chatMessageSent(tenant, `c-${n % conversations}`, id)),
      ),
    );
  } finally {
    await producer.disconnect();
  }
  return { topic, ids };
}
