import { describe, expect, it, vi } from "vitest";
import { createEnvelope, encodeEnvelope } from "../../../client/envelope.ts";

/**
 * The exactly-once processor against a scripted stand-in for librdkafka's public API (consumer,
 * transactional producer): the transaction's offsets or its commit fail a number of times. Such
 * failures are the cluster's, never a message's: nothing may be dead-lettered for them.
 */
const lib = vi.hoisted(() => {
  type Callback = (error: unknown, value?: unknown) => void;
  interface Written {
    topic: string;
    value: Buffer | null;
  }
  const state = {
    log: [] as Record<string, unknown>[],
    position: 0,
    sendOffsetsFailures: 0,
    commitFailures: 0,
    open: [] as Written[],
    committed: [] as Written[],
    openOffset: 0,
    committedOffset: 0,
  };
  const retriable = (message: string) => ({ message, code: -185, isRetriable: true });
  class KafkaConsumer {
    setDefaultConsumeTimeout(): void {}
    setDefaultIsTimeoutOnlyForFirstMessage(): void {}
    on(): this {
      return this;
    }
    connect(_options: unknown, done: Callback): void {
      setImmediate(() => done(null));
    }
    isConnected(): boolean {
      return true;
    }
    subscribe(): void {}
    consume(max: number, done: Callback): void {
      const batch = state.log.slice(state.position, state.position + max);
      state.position += batch.length;
      setTimeout(() => done(null, batch), batch.length > 0 ? 0 : 10);
    }
    seek(to: { offset: number }, _timeout: number, done: Callback): void {
      state.position = to.offset;
      setImmediate(() => done(null));
    }
    disconnect(done: Callback): void {
      setImmediate(() => done(null));
    }
  }
  class Producer {
    private report: Callback = () => undefined;
    private offset = 0;
    on(event: string, listener: Callback): this {
      if (event === "delivery-report") this.report = listener;
      return this;
    }
    connect(_options: unknown, done: Callback): void {
      setImmediate(() => done(null));
    }
    isConnected(): boolean {
      return true;
    }
    setPollInBackground(): void {}
    initTransactions(_timeout: number, done: Callback): void {
      setImmediate(() => done(null));
    }
    beginTransaction(done: Callback): void {
      state.open = [];
      state.openOffset = 0;
      setImmediate(() => done(null));
    }
    produce(
      topic: string,
      _p: null,
      value: Buffer | null,
      _k: unknown,
      _t: null,
      opaque: unknown,
    ): void {
      state.open.push({ topic, value });
      const offset = this.offset++;
      setImmediate(() => this.report(null, { topic, partition: 0, offset, opaque }));
    }
    sendOffsetsToTransaction(_o: unknown, _c: unknown, _t: number, done: Callback): void {
      const fail = state.sendOffsetsFailures > 0;
      if (fail) state.sendOffsetsFailures--;
      setImmediate(() => done(fail ? retriable("Broker: Coordinator not available") : null));
      if (!fail) state.openOffset = (_o as { offset: number }[])[0]?.offset ?? -1;
    }
    commitTransaction(_timeout: number, done: Callback): void {
      const fail = state.commitFailures > 0;
      if (fail) state.commitFailures--;
      else {
        state.committed.push(...state.open);
        state.committedOffset = state.openOffset;
      }
      setImmediate(() => done(fail ? retriable("Local: Timed out") : null));
    }
    abortTransaction(_timeout: number, done: Callback): void {
      state.open = [];
      setImmediate(() => done(null));
    }
    flush(_timeout: number, done: Callback): void {
      setImmediate(() => done(null));
    }
    disconnect(_timeout: number, done: Callback): void {
      setImmediate(() => done(null));
    }
  }
  /** describeTopics through the consumer's handle: each topic keeps its id. */
  const AdminClient = {
    createFrom: () => ({
      describeTopics(topics: string[], _options: unknown, done: Callback): void {
        const topicId = { mostSignificantBits: 1n, leastSignificantBits: 2n };
        const described = topics.map((name) => ({ name, topicId }));
        setImmediate(() => done(null, described));
      },
    }),
  };
  return { state, RdKafka: { KafkaConsumer, Producer, AdminClient } };
});

vi.mock("@confluentinc/kafka-javascript", () => ({ RdKafka: lib.RdKafka }));

const { createKafkaClient } = await import("../../../client/index.ts");

const TOPIC = "chat.messages.acme";
const DLQ = "dlq.message-processor";

function input(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, offset) => {
    const { value, headers } = encodeEnvelope(
      createEnvelope({
        type: "chat.message.sent",
        tenantId: "acme",
        source: "socket-service",
        payload: {
          conversation_id: "c1",
          message_id: `m-${offset}`,
          sender_id: "u1",
          text: "hi",
          sent_at: new Date().toISOString(),
        },
      }),
    );
    return {
      topic: TOPIC,
      partition: 0,
      offset,
      key: Buffer.from("c1"),
      value,
      timestamp: Date.now(),
      headers: Object.entries(headers).map(([k, v]) => ({ [k]: v })),
    };
  });
}

async function run(
  failures: { sendOffsets?: number; commit?: number },
  transform: (id: string) => void = () => undefined,
): Promise<{ topics: string[]; committedOffset: number }> {
  Object.assign(lib.state, {
    log: input(3),
    position: 0,
    sendOffsetsFailures: failures.sendOffsets ?? 0,
    commitFailures: failures.commit ?? 0,
    open: [],
    committed: [],
    openOffset: 0,
    committedOffset: 0,
  });
  const connection = { bootstrapServers: ["k:9093"], username: "u", password: "p", caPem: "x" };
  const processor = createKafkaClient({ service: "message-processor", connection }).processor({
    topics: [TOPIC],
    instanceId: "0",
    retry: { maxAttempts: 2, backoff: { initialMs: 1, maxMs: 1, multiplier: 1 } },
    transform: async (envelope, out) => {
      if (envelope.type !== "chat.message.sent") return;
      transform(envelope.payload.message_id);
      await out.send("chat.events", {
        type: "chat.message.persisted",
        tenantId: "acme",
        payload: {
          conversation_id: envelope.payload.conversation_id,
          message_id: envelope.payload.message_id,
          sequence: 0,
          persisted_at: new Date().toISOString(),
        },
      });
    },
  });
  await processor.start();
  const deadline = Date.now() + 10_000;
  while (lib.state.committedOffset < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await processor.stop();
  return {
    topics: lib.state.committed.map((w) => w.topic),
    committedOffset: lib.state.committedOffset,
  };
}

describe("exactly-once processor when the transaction's offsets or commit fail", () => {
  it("never dead-letters a message because committing failed (5 failed commits, 2 attempts allowed)", async () => {
    const result = await run({ commit: 5 });
    expect(result.committedOffset).toBe(3);
    expect(result.topics).toEqual(["chat.events", "chat.events", "chat.events"]);
  });

  it("never dead-letters a message because adding the offsets failed (5 failures)", async () => {
    const result = await run({ sendOffsets: 5 });
    expect(result.committedOffset).toBe(3);
    expect(result.topics).toEqual(["chat.events", "chat.events", "chat.events"]);
  });

  it("still dead-letters a message whose transform keeps failing, after the allowed attempts", async () => {
    const result = await run({}, (id) => {
      if (id === "m-1") throw new Error("cannot persist");
    });
    expect(result.committedOffset).toBe(3);
    expect(result.topics).toEqual(["chat.events", DLQ, "chat.events"]);
  });
});
