import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CONFIG_ENV, createEnvelope, createKafkaClient, encodeEnvelope } from "../client/index.ts";
import type { ConnectionConfig } from "../client/config.ts";
import { nowMs, summarize } from "./stats.ts";

/** The client module measured the way services use it: envelopes, catalog topics, service users. */

type ChatTopic = `chat.messages.${string}`;

/**
 * Pads the message text so the encoded envelope is about `size` bytes, with random capital
 * letters as ProducerPerformance fills its records: lz4 then compresses both alike (repeated
 * padding would compress to almost nothing and flatter the module).
 */
export function paddedText(tenant: string, size: number): string {
  const probe = encodeEnvelope(
    createEnvelope({ ...benchEvent(tenant, 50_000, ""), source: "socket-service" }),
  ).value.length;
  const letters = Array.from({ length: Math.max(0, size - probe) }, () =>
    String.fromCharCode(65 + Math.floor(Math.random() * 26)),
  );
  return letters.join("");
}

export function benchEvent(tenant: string, i: number, text: string) {
  return {
    type: "chat.message.sent" as const,
    tenantId: tenant,
    payload: {
      conversation_id: `c-${i % 1000}`,
      message_id: `m-${i}`,
      sender_id: "u-1",
      text,
      sent_at: new Date().toISOString(),
    },
  };
}

export async function moduleProducerPerf(
  connection: ConnectionConfig,
  topic: ChatTopic,
  tenant: string,
  count: number,
  valueSize: number,
  lingerMs = 5,
): Promise<{ msgPerSec: number; mbPerSec: number; valueBytes: number }> {
  const producer = await createKafkaClient({ service: "socket-service", connection }).producer({
    lingerMs,
  });
  const text = paddedText(tenant, valueSize);
  let acked = 0;
  let failed: Error | undefined;
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      producer.sendAndForget(topic, benchEvent(tenant, i, text), (error) => {
        if (error !== undefined) failed ??= error;
        acked++;
      });
      // Let delivery callbacks run and keep the queue bounded.
      if (i % 5_000 === 4_999) {
        while (i + 1 - acked > 50_000) await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      }
    }
    await producer.flush(120_000);
    while (acked < count && failed === undefined) await new Promise((r) => setTimeout(r, 5));
  } finally {
    await producer.disconnect();
  }
  if (failed !== undefined) throw failed;
  const seconds = (performance.now() - started) / 1000;
  const bytes = encodeEnvelope(
    createEnvelope({ ...benchEvent(tenant, 50_000, text), source: "socket-service" }),
  ).value.length;
  return {
    msgPerSec: count / seconds,
    mbPerSec: (count * bytes) / seconds / 1_048_576,
    valueBytes: bytes,
  };
}

export async function moduleConsumerPerf(
  connection: ConnectionConfig,
  topic: ChatTopic,
  count: number,
): Promise<{ msgPerSec: number }> {
  let seen = 0;
  let first = 0;
  let last = 0;
  const consumer = createKafkaClient({ service: "search-indexer", connection }).consumer({
    topics: [topic],
    concurrency: 8,
    maxBatchSize: 1000,
    handler: () => {
      if (seen === 0) first = performance.now();
      seen++;
      last = performance.now();
      return Promise.resolve();
    },
  });
  void consumer.start();
  const deadline = Date.now() + 300_000;
  while (seen < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await consumer.stop();
  if (seen < count) throw new Error(`consumer saw ${seen} of ${count} messages in 300 s`);
  return { msgPerSec: count / ((last - first) / 1000) };
}

type ConsumerReport = { type: "count"; count: number } | { type: "latencies"; latencies: number[] };

/** The consuming side of the e2e run, in its own process (bench/e2e-consumer-process.ts). */
class ConsumerProcess {
  private readonly child: ChildProcess;
  count = 0;
  private latencies: ((values: number[]) => void) | undefined;

  constructor(connection: ConnectionConfig, topic: string) {
    this.child = fork(
      fileURLToPath(new URL("./e2e-consumer-process.ts", import.meta.url)),
      [topic],
      {
        // Connected like a service pod: from KAFKA_* variables.
        env: {
          ...process.env,
          [CONFIG_ENV.bootstrap]: connection.bootstrapServers.join(","),
          [CONFIG_ENV.username]: connection.username,
          [CONFIG_ENV.password]: connection.password,
          [CONFIG_ENV.caCert]: connection.caPem,
        },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    this.child.on("message", (report: ConsumerReport) => {
      if (report.type === "count") this.count = report.count;
      else this.latencies?.(report.latencies);
    });
  }

  /** Forgets what was measured; from now on only envelopes stamped at or after `fromMs`. */
  reset(fromMs = 0): void {
    this.count = 0;
    this.child.send({ type: "reset", fromMs });
  }

  report(): Promise<number[]> {
    return new Promise((resolve) => {
      this.latencies = resolve;
      this.child.send({ type: "report" });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Sends at a fixed rate and measures envelope timestamp → handler, per message. The consumer
 * runs in a process of its own, as message-processor does beside socket-service: in one
 * process the two would share one event loop, which no deployment does.
 */
export async function moduleEndToEnd(
  connection: (service: "socket-service" | "message-processor") => ConnectionConfig,
  topic: ChatTopic,
  tenant: string,
  ratePerSec: number,
  seconds: number,
  valueSize: number,
  progress: (line: string) => void,
): Promise<{
  p50: number;
  p99: number;
  max: number;
  n: number;
  achievedRate: number;
  /** Send → broker acknowledgement (acks=all), the cluster's share of the end-to-end time. */
  ackP50: number;
  ackP99: number;
}> {
  const acks: number[] = [];
  const consumer = new ConsumerProcess(connection("message-processor"), topic);
  const producer = await createKafkaClient({
    service: "socket-service",
    connection: connection("socket-service"),
  }).producer();
  try {
    const text = paddedText(tenant, valueSize);
    // Warm up: wait until the consumer has its partitions and sees a message.
    await producer.send(topic, benchEvent(tenant, -1, text));
    while (consumer.count === 0) await new Promise((r) => setTimeout(r, 20));
    consumer.reset();

    // As for Java's producer (--warmup-records), the first seconds are left out of the figures.
    const warmupMs = 2_000;
    consumer.reset(nowMs() + warmupMs);
    const tickMs = 10;
    const total = Math.round(ratePerSec * seconds);
    const start = performance.now();
    let sent = 0;
    const endAt = start + seconds * 1000;
    // Every tick sends what the rate has made due by then (so low rates are not rounded up).
    // Bounded in time: stop at the deadline even when sending fell behind the rate.
    for (let tick = 0; sent < total && performance.now() < endAt; tick++) {
      const wait = start + tick * tickMs - performance.now();
      // Always yield, so delivery callbacks run even when sending falls behind schedule.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else await new Promise((r) => setImmediate(r));
      const due = Math.min(total, Math.floor((ratePerSec * (tick + 1) * tickMs) / 1000));
      while (sent < due) {
        const sentAt = performance.now();
        const counted = sentAt - start >= warmupMs;
        producer.sendAndForget(topic, benchEvent(tenant, sent++, text), (error) => {
          if (error === undefined && counted) acks.push(performance.now() - sentAt);
        });
      }
      if (tick % 500 === 0 && tick > 0) progress(`  sent ${sent}, received ${consumer.count}`);
    }
    const achievedRate = sent / ((performance.now() - start) / 1000);
    await producer.flush(60_000);
    const deadline = Date.now() + 60_000;
    while (consumer.count < sent && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const latencies = await consumer.report();
    const ack = summarize(acks);
    return { ...summarize(latencies), achievedRate, ackP50: ack.p50, ackP99: ack.p99 };
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
}
