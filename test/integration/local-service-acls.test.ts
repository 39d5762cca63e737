import { randomUUID } from "node:crypto";
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import { clientOptions, serviceCredential, testCluster } from "./support/cluster.ts";
import { javaTransactionalProduce } from "./support/java-producer.ts";
import { KafkaErrorCodes, errorChain, kafkaErrorCodes, rejection } from "./support/kafka-errors.ts";
import { serviceOperations } from "./support/service-operations.ts";

/**
 * Least privilege on the real cluster: each catalog service, logged in with the password apply
 * generated for it, can do exactly what it declared and gets an authorization error for a
 * sample of what it did not. The client is @platformatic/kafka, independent of the apply code.
 */
const operations = serviceOperations(buildPlatformModel(loadStack("dev")));
const baseline = { retries: 0, connectTimeout: 5000, requestTimeout: 15_000 } as const;
const run = randomUUID().slice(0, 8);

function producerFor(
  service: string,
  extra: { idempotent?: boolean; transactionalId?: string } = {},
): Producer {
  return new Producer({
    clientId: `acl-test-${service}`,
    ...clientOptions(serviceCredential(service)),
    ...baseline,
    acks: ProduceAcks.ALL,
    ...extra,
  });
}

async function produce(service: string, topic: string): Promise<void> {
  const producer = producerFor(service);
  try {
    await producer.send({
      messages: [{ topic, key: Buffer.from("k"), value: Buffer.from(`${service} ${run}`) }],
    });
  } finally {
    await producer.close().catch(() => {});
  }
}

/** Joins `group` as `service`, reads `topics` from the beginning until one message of each arrived. */
async function consumeOneOfEach(
  service: string,
  group: string,
  topics: readonly string[],
): Promise<Set<string>> {
  const consumer = new Consumer({
    clientId: `acl-test-${service}`,
    groupId: group,
    ...clientOptions(serviceCredential(service)),
    ...baseline,
    autocommit: false,
  });
  const seen = new Set<string>();
  try {
    const stream = await consumer.consume({
      topics: [...topics],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
    });
    const timer = setTimeout(() => void stream.close(), 60_000);
    for await (const message of stream) {
      seen.add(message.topic);
      if (topics.every((t) => seen.has(t))) break;
    }
    clearTimeout(timer);
    await stream.close().catch(() => {});
  } finally {
    await consumer.close(true).catch(() => {});
  }
  return seen;
}

describe("service ACLs on the live cluster", () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = new Admin({ clientId: "acl-test-admin", ...clientOptions(), ...baseline });
    // One message in every topic some service reads, so a Read can be observed.
    const producer = new Producer({
      clientId: "acl-test-seed",
      ...clientOptions(),
      ...baseline,
      acks: ProduceAcks.ALL,
    });
    const readTopics = [...new Set(operations.flatMap((o) => o.reads))];
    await producer.send({
      messages: readTopics.map((topic) => ({
        topic,
        key: Buffer.from("seed"),
        value: Buffer.from(`seed ${run}`),
      })),
    });
    await producer.close();
  });
  afterAll(async () => {
    await admin.close().catch(() => {});
  });

  it("covers every catalog service", () => {
    expect(operations.map((o) => o.service).sort()).toEqual(
      buildPlatformModel(loadStack("dev"))
        .access.map((a) => a.service)
        .sort(),
    );
  });

  describe.each(operations)("$service", (ops) => {
    it.each(ops.writes.map((t) => [t]))("may write %s", async (topic) => {
      await produce(ops.service, topic);
    });

    if (ops.group !== undefined && ops.reads.length > 0) {
      it(`may read ${ops.reads.join(", ")} as group ${ops.group}`, async () => {
        const seen = await consumeOneOfEach(ops.service, ops.group!, ops.reads);
        expect([...seen].sort()).toEqual([...ops.reads]);
      });
    }

    if (ops.forbiddenWrite !== undefined) {
      it(`may not write ${ops.forbiddenWrite}`, async () => {
        const error = await rejection(produce(ops.service, ops.forbiddenWrite!));
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.TOPIC_AUTHORIZATION_FAILED,
        );
      });
    }

    if (ops.group !== undefined && ops.forbiddenRead !== undefined) {
      it(`may not read ${ops.forbiddenRead}, even in its own group`, async () => {
        const error = await rejection(
          consumeOneOfEach(ops.service, ops.group!, [ops.forbiddenRead!]),
        );
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.TOPIC_AUTHORIZATION_FAILED,
        );
      });
    }

    if (ops.reads.length > 0) {
      it("may not join another service's consumer group", async () => {
        const error = await rejection(
          consumeOneOfEach(ops.service, `not-${ops.service}`, [ops.reads[0]!]),
        );
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.GROUP_AUTHORIZATION_FAILED,
        );
      });
    }

    if (ops.broadcastOnly !== undefined && ops.reads.length > 0) {
      const prefix = ops.broadcastOnly;
      it.each([[ops.service], [`${prefix.slice(0, -1)}x`]])(
        "reads only per instance: may not join the group %s",
        async (group) => {
          const error = await rejection(consumeOneOfEach(ops.service, group, [ops.reads[0]!]));
          expect(kafkaErrorCodes(error), errorChain(error)).toContain(
            KafkaErrorCodes.GROUP_AUTHORIZATION_FAILED,
          );
        },
      );
    }

    if (ops.transactionalIdPrefix !== undefined) {
      it(`may commit transactions as ${ops.transactionalIdPrefix}* (Kafka's Java producer)`, async () => {
        const result = await javaTransactionalProduce(
          testCluster(),
          serviceCredential(ops.service),
          ops.writes[0]!,
          `${ops.transactionalIdPrefix}${run}`,
        );
        expect(result.code, result.stderr + result.stdout).toBe(0);
        expect(result.stdout).toMatch(/20 records sent/);
      });

      it("may not commit transactions under another service's transactional id (Kafka's Java producer)", async () => {
        const result = await javaTransactionalProduce(
          testCluster(),
          serviceCredential(ops.service),
          ops.writes[0]!,
          `someone-else.tx.${run}`,
        );
        expect(result.stderr + result.stdout).toMatch(/TransactionalIdAuthorizationException/);
      });
    }

    it("may not use a transactional id outside its own family", async () => {
      const producer = producerFor(ops.service, {
        idempotent: true,
        transactionalId: `someone-else.tx.${run}`,
      });
      try {
        const error = await rejection(
          (async () => {
            const tx = await producer.beginTransaction();
            await tx.send({
              messages: [
                {
                  topic: ops.writes[0] ?? "chat.events",
                  key: Buffer.from("k"),
                  value: Buffer.from("tx"),
                },
              ],
            });
            await tx.commit();
          })(),
        );
        expect(kafkaErrorCodes(error), errorChain(error)).toContain(
          KafkaErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        );
      } finally {
        await producer.close().catch(() => {});
      }
    });

    it("may not create topics (no cluster permissions)", async () => {
      const own = new Admin({
        clientId: `acl-test-${ops.service}`,
        ...clientOptions(serviceCredential(ops.service)),
        ...baseline,
      });
      try {
        const error = await rejection(
          own.createTopics({ topics: [`chat.events-${run}`], partitions: 1, replicas: 3 }),
        );
        expect(kafkaErrorCodes(error), errorChain(error)).toEqual(
          expect.arrayContaining([
            expect.toBeOneOf([
              KafkaErrorCodes.TOPIC_AUTHORIZATION_FAILED,
              KafkaErrorCodes.CLUSTER_AUTHORIZATION_FAILED,
            ]),
          ]),
        );
      } finally {
        await own.close().catch(() => {});
      }
    });
  });
});
