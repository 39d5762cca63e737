import { MultipleErrors, ProtocolError, ResponseError, TimeoutError } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import {
  BatchingProducer,
  MAX_QUEUED_RECORDS,
  ProducerClosedError,
  ProducerQueueFullError,
  batchingProducerOptions,
  isFinal,
  javaPartitionFor,
  partitionOutcomes,
} from "../../../client/batching-producer.ts";

// murmur2 values from Kafka's own UtilsTest (org.apache.kafka.common.utils), the hash Java's
// producer puts keyed records with: partition = toPositive(murmur2(key)) % partitions.
const JAVA_MURMUR2: readonly [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

describe("javaPartitionFor", () => {
  it.each([6, 8, 12, 16, 24, 32])(
    "puts each key on Java's partition of a %i-partition topic",
    (partitions) => {
      for (const [key, hash] of JAVA_MURMUR2) {
        // Java's Utils.toPositive clears the sign bit.
        expect(javaPartitionFor(Buffer.from(key), partitions)).toBe(
          (hash & 0x7fffffff) % partitions,
        );
      }
    },
  );

  it("differs from an unsigned reading of the hash where Java's would (24 partitions)", () => {
    // The catalog's 24-, 12- and 6-partition topics are where a plain `>>> 0` would put keys
    // on other partitions than Java's producer and the transactional producer do.
    const unsigned = JAVA_MURMUR2.map(([, hash]) => (hash >>> 0) % 24);
    const java = JAVA_MURMUR2.map(([key]) => javaPartitionFor(Buffer.from(key), 24));
    expect(java).not.toEqual(unsigned);
  });
});

/** A Produce answer in the shape the library parses it into. */
function produceResponse(partitions: { index: number; errorCode: number; baseOffset: bigint }[]) {
  return {
    responses: [
      {
        name: "chat.messages.acme",
        partitionResponses: partitions.map((p) => ({ ...p, logAppendTimeMs: -1n })),
      },
    ],
  };
}

describe("partitionOutcomes", () => {
  it("reads each partition's outcome from the brokers' answers inside the nested errors", () => {
    const answer = produceResponse([
      { index: 0, errorCode: 0, baseOffset: 41n },
      { index: 3, errorCode: 6, baseOffset: -1n }, // NOT_LEADER_OR_FOLLOWER
      { index: 4, errorCode: 29, baseOffset: -1n }, // TOPIC_AUTHORIZATION_FAILED
      { index: 5, errorCode: 0, baseOffset: 7n },
    ]);
    const failed = new ResponseError(
      0,
      11,
      { "/responses/0/partition_responses/1": [6, "not leader"] },
      answer,
    );
    const error = new MultipleErrors("Producing messages failed.", [
      new MultipleErrors("produce failed 3 times.", [failed]),
    ]);
    const outcomes = partitionOutcomes(error);
    expect(outcomes.get("chat.messages.acme:0")).toBe(41n);
    expect(outcomes.get("chat.messages.acme:5")).toBe(7n);
    const notLeader = outcomes.get("chat.messages.acme:3");
    const refused = outcomes.get("chat.messages.acme:4");
    expect(notLeader).toBeInstanceOf(ProtocolError);
    expect(refused).toBeInstanceOf(ProtocolError);
    // A moved leader is worth another try; a refused topic is not.
    expect((notLeader as ProtocolError).canRetry).toBe(true);
    expect((refused as ProtocolError).canRetry).toBe(false);
    expect(outcomes.size).toBe(4);
  });

  it("keeps a write from an earlier attempt when a later attempt answers with an error", () => {
    // Attempt 1 wrote partition 1; attempt 2 went to another broker, which is not its leader.
    const attempt = (errorCode: number, baseOffset: bigint) =>
      new ResponseError(
        0,
        11,
        errorCode === 0 ? {} : { "/responses/0/partition_responses/0": [errorCode, null] },
        produceResponse([{ index: 1, errorCode, baseOffset }]),
      );
    const error = new MultipleErrors("produce failed 2 times.", [
      attempt(0, 100n),
      attempt(6, -1n),
    ]);
    expect(partitionOutcomes(error).get("chat.messages.acme:1")).toBe(100n);
  });

  it("adds the offsets of the brokers whose requests succeeded", () => {
    const error = Object.assign(new Error("one broker failed"), {
      produced: { offsets: [{ topic: "audit.log", partition: 2, offset: 99n }] },
    });
    expect(partitionOutcomes(error)).toEqual(new Map([["audit.log:2", 99n]]));
  });

  it("finds nothing in an error without answers", () => {
    expect(partitionOutcomes(new Error("connection closed")).size).toBe(0);
  });
});

describe("isFinal", () => {
  it("a request that timed out is sent again, though a TimeoutError is final by default in the library", () => {
    expect(isFinal(new MultipleErrors("failed", [new TimeoutError("Request timed out")]))).toBe(
      false,
    );
  });

  it("a refused producer id (no write permission left) is final", () => {
    expect(isFinal(new ProtocolError("CLUSTER_AUTHORIZATION_FAILED"))).toBe(true);
  });

  it("per-partition answers do not make the whole send final", () => {
    const answer = produceResponse([{ index: 1, errorCode: 29, baseOffset: -1n }]);
    expect(
      isFinal(
        new ResponseError(0, 11, { "/responses/0/partition_responses/0": [29, null] }, answer),
      ),
    ).toBe(false);
  });
});

describe("batchingProducerOptions", () => {
  const options = batchingProducerOptions({
    connection: {
      bootstrapServers: ["b1:9093", "b2:9093"],
      username: "socket-service",
      password: "pw",
      caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    },
    clientId: "socket-service-producer",
    compression: "zstd",
    lingerMs: 20,
    deliveryTimeoutMs: 90_000,
    retryBackoffMs: 50,
    retryBackoffMaxMs: 500,
  });

  it("is idempotent with acks=all and the given compression", () => {
    expect(options.idempotent).toBe(true);
    expect(options.acks).toBe(-1);
    expect(options.compression).toBe("zstd");
  });

  it("logs in with SCRAM-SHA-512 over TLS against the given CA and brokers", () => {
    expect(options.sasl).toMatchObject({
      mechanism: "SCRAM-SHA-512",
      username: "socket-service",
      password: "pw",
    });
    expect(options.tls?.ca).toContain("BEGIN CERTIFICATE");
    expect(options.bootstrapBrokers).toEqual(["b1:9093", "b2:9093"]);
  });

  it("retries a send a few times itself, backing off exponentially from retryBackoffMs to retryBackoffMaxMs", () => {
    const delay = options.retryDelay as (c: object, op: string, attempt: number) => number;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => delay({}, "produce", attempt))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    // Few: longer outages are retried by the module, regrouped by the current leaders.
    expect(options.retries).toBeGreaterThan(0);
    expect(options.retries).toBeLessThanOrEqual(5);
  });
});

describe("BatchingProducer without a reachable broker", () => {
  const unreachable = (): BatchingProducer =>
    new BatchingProducer({
      // A closed loopback port: nothing is ever acknowledged.
      connection: { bootstrapServers: ["127.0.0.1:1"], username: "u", password: "p", caPem: "" },
      clientId: "unit-test",
      compression: "none",
      lingerMs: 5,
      deliveryTimeoutMs: 120_000,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1_000,
    });

  it(`refuses a record beyond ${MAX_QUEUED_RECORDS} unacknowledged ones at once, and fails the queued ones on disconnect`, async () => {
    const producer = unreachable();
    const errors: Error[] = [];
    const record = { key: "k", value: Buffer.from("v"), headers: {} };
    for (let i = 0; i < MAX_QUEUED_RECORDS; i++)
      producer.produce("audit.log", record, (e) => errors.push(e ?? new Error("acknowledged?")));
    const refused = await new Promise<Error | undefined>((resolve) =>
      producer.produce("audit.log", record, (e) => resolve(e)),
    );
    expect(refused).toBeInstanceOf(ProducerQueueFullError);
    expect(errors).toEqual([]);
    await producer.disconnect();
    expect(errors).toHaveLength(MAX_QUEUED_RECORDS);
    expect(errors.every((e) => e instanceof ProducerClosedError)).toBe(true);
    // Every callback ran, so the queue is empty again; a closed producer refuses at once.
    const afterClose = await new Promise<Error | undefined>((resolve) =>
      producer.produce("audit.log", record, (e) => resolve(e)),
    );
    expect(afterClose).toBeInstanceOf(ProducerClosedError);
  }, 30_000);

  it("a delivery callback that throws does not keep the other records from their callbacks", async () => {
    const producer = unreachable();
    const seen: string[] = [];
    const record = { key: "k", value: Buffer.from("v"), headers: {} };
    producer.produce("audit.log", record, () => {
      seen.push("first");
      throw new Error("a service's bug");
    });
    producer.produce("audit.log", record, (e) => seen.push(`second ${e?.name ?? ""}`));
    producer.produce("audit.log", record, (e) => seen.push(`third ${e?.name ?? ""}`));
    await producer.disconnect();
    expect(seen).toEqual(["first", "second ProducerClosedError", "third ProducerClosedError"]);
  }, 30_000);

  it("flush() gives up after its timeout while nothing can be acknowledged", async () => {
    const producer = unreachable();
    producer.produce("audit.log", { key: null, value: null, headers: {} }, () => undefined);
    await expect(producer.flush(300)).rejects.toThrow(/within 300 ms/);
    await producer.disconnect();
  });
});
