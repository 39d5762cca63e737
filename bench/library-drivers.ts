import { KafkaJS } from "@confluentinc/kafka-javascript";
import { Consumer, Producer } from "@platformatic/kafka";
import type { ClusterConnectionInfo } from "../local/cluster.ts";

/**
 * The two candidate libraries driven the same way (acks=all, idempotent, lz4, batches handed
 * over in arrays, KIP-848 consumer groups), so the comparison measures the libraries.
 */
export interface LibraryDriver {
  readonly name: string;
  /** Sends `count` values as fast as the library allows; resolves when all are acknowledged. */
  produce(topic: string, count: number, value: () => Buffer): Promise<void>;
  /** Sends `perTick` values every `tickMs` for `durationMs`. */
  produceAtRate(
    topic: string,
    perTick: number,
    tickMs: number,
    durationMs: number,
    value: () => Buffer,
  ): Promise<void>;
  /** Reads with a fresh KIP-848 group from the beginning until `count` messages were seen. */
  consume(
    topic: string,
    group: string,
    count: number,
    onValue: (value: Buffer) => void,
  ): Promise<void>;
  /** True when a second producer with the same transactional id fences the first (KIP-447 style). */
  fencing(topic: string, transactionalId: string): Promise<boolean>;
}

const BATCH = 500;
const IN_FLIGHT = 8;

async function windowed(count: number, send: (n: number) => Promise<unknown>): Promise<void> {
  let sent = 0;
  const inflight = new Set<Promise<unknown>>();
  while (sent < count) {
    const n = Math.min(BATCH, count - sent);
    sent += n;
    const p: Promise<unknown> = send(n).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

async function ticking(
  perTick: number,
  tickMs: number,
  durationMs: number,
  send: (n: number) => Promise<unknown>,
): Promise<void> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let tick = 0; tick * tickMs < durationMs; tick++) {
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(perTick));
  }
  await Promise.all(pending);
}

export function platformaticDriver(info: ClusterConnectionInfo, caPem: string): LibraryDriver {
  const common = {
    bootstrapBrokers: [...info.bootstrapServers],
    tls: { ca: caPem },
    sasl: { mechanism: "SCRAM-SHA-512" as const, ...info.admin },
  };
  const producer = (): Producer =>
    new Producer({
      clientId: "bench-platformatic",
      ...common,
      acks: -1,
      idempotent: true,
      compression: "lz4",
    });
  return {
    name: "@platformatic/kafka",
    async produce(topic, count, value) {
      const p = producer();
      try {
        await windowed(count, (n) =>
          p.send({ messages: Array.from({ length: n }, () => ({ topic, value: value() })) }),
        );
      } finally {
        await p.close();
      }
    },
    async produceAtRate(topic, perTick, tickMs, durationMs, value) {
      const p = producer();
      try {
        await ticking(perTick, tickMs, durationMs, (n) =>
          p.send({ messages: Array.from({ length: n }, () => ({ topic, value: value() })) }),
        );
      } finally {
        await p.close();
      }
    },
    async consume(topic, group, count, onValue) {
      const c = new Consumer({
        clientId: "bench-platformatic",
        groupId: group,
        ...common,
        groupProtocol: "consumer",
      });
      try {
        const stream = await c.consume({
          topics: [topic],
          mode: "earliest",
          autocommit: false,
          maxWaitTime: 100,
        });
        let seen = 0;
        await new Promise<void>((resolve, reject) => {
          stream.on("error", reject);
          stream.on("data", (m) => {
            onValue(m.value);
            if (++seen >= count) resolve();
          });
        });
        await stream.close();
      } finally {
        await c.close(true);
      }
    },
    async fencing(topic, transactionalId) {
      const first = new Producer({
        retries: 20,
        retryDelay: 500,
        clientId: "bench-tx-1",
        ...common,
        idempotent: true,
        transactionalId,
      });
      const second = new Producer({
        retries: 20,
        retryDelay: 500,
        clientId: "bench-tx-2",
        ...common,
        idempotent: true,
        transactionalId,
      });
      try {
        const tx = await first.beginTransaction();
        await tx.send({ messages: [{ topic, value: Buffer.from("first") }] });
        const tx2 = await second.beginTransaction();
        let fenced = false;
        try {
          await tx.commit();
        } catch {
          fenced = true;
        }
        await tx2.abort();
        return fenced;
      } finally {
        await first.close().catch(() => undefined);
        await second.close().catch(() => undefined);
      }
    },
  };
}

export function confluentDriver(info: ClusterConnectionInfo, caPem: string): LibraryDriver {
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...info.bootstrapServers],
      ssl: true,
      sasl: { mechanism: "scram-sha-512", ...info.admin },
      logLevel: KafkaJS.logLevel.NOTHING,
    },
    "ssl.ca.pem": caPem,
  });
  const producer = (): KafkaJS.Producer =>
    kafka.producer({
      kafkaJS: { acks: -1, idempotent: true, compression: KafkaJS.CompressionTypes.LZ4 },
      "linger.ms": 5,
    });
  return {
    name: "@confluentinc/kafka-javascript",
    async produce(topic, count, value) {
      const p = producer();
      await p.connect();
      try {
        await windowed(count, (n) =>
          p.send({ topic, messages: Array.from({ length: n }, () => ({ value: value() })) }),
        );
      } finally {
        await p.disconnect();
      }
    },
    async produceAtRate(topic, perTick, tickMs, durationMs, value) {
      const p = producer();
      await p.connect();
      try {
        await ticking(perTick, tickMs, durationMs, (n) =>
          p.send({ topic, messages: Array.from({ length: n }, () => ({ value: value() })) }),
        );
      } finally {
        await p.disconnect();
      }
    },
    async consume(topic, group, count, onValue) {
      const c = kafka.consumer({
        kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false },
        "group.protocol": "consumer",
        "fetch.wait.max.ms": 100,
      });
      await c.connect();
      try {
        await c.subscribe({ topics: [topic] });
        let seen = 0;
        await new Promise<void>((resolve, reject) => {
          c.run({
            eachBatch: ({ batch }) => {
              for (const m of batch.messages) {
                if (m.value !== null) onValue(m.value);
                if (++seen >= count) resolve();
              }
              return Promise.resolve();
            },
          }).catch(reject);
        });
      } finally {
        await c.disconnect();
      }
    },
    async fencing(topic, transactionalId) {
      const make = (): KafkaJS.Producer =>
        kafka.producer({ kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 } });
      const first = make();
      const second = make();
      await first.connect();
      try {
        const tx = await first.transaction();
        await tx.send({ topic, messages: [{ value: "first" }] });
        await second.connect();
        let fenced = false;
        try {
          await tx.commit();
        } catch {
          fenced = true;
        }
        return fenced;
      } finally {
        await first.disconnect().catch(() => undefined);
        await second.disconnect().catch(() => undefined);
      }
    },
  };
}
