import { RdKafka } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "../client/config.ts";
import { consumerConfig } from "../client/consumer.ts";
import { producerConfig } from "../client/producer.ts";

/**
 * librdkafka used raw, with the module's own settings (the same `producerConfig` and
 * `consumerConfig`): what a service would do without the module's layer (envelopes,
 * validation, catalog keys, per-partition handling, dead letters, metrics), but with the
 * encoding any service does: the producer is given a serialised value per record (see
 * bench/run.ts), the consumer parses each value as JSON. The ratio module/raw is the
 * overhead the module owns.
 */

/** The library's callbacks as promises. */
function done(start: (cb: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    start((error) =>
      error ? reject(new Error((error as { message?: string }).message)) : resolve(),
    ),
  );
}

export interface RawRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Sends `count` ready-made records (keys, values and headers as the module's) and awaits all acks. */
export async function rawProducerPerf(
  connection: ConnectionConfig,
  topic: string,
  count: number,
  record: (i: number) => RawRecord,
  lingerMs = 5,
): Promise<{ msgPerSec: number }> {
  const config = producerConfig({ service: "socket-service", connection, lingerMs });
  const producer = new RdKafka.Producer(config.global, config.topic);
  let acked = 0;
  let failed: Error | undefined;
  producer.on("delivery-report", (error) => {
    if (error) failed ??= new Error(error.message);
    acked++;
  });
  await done((cb) => producer.connect({ timeout: 20_000 }, cb));
  producer.setPollInBackground(true);
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const { key, value, headers } = record(i);
      const list = Object.entries(headers).map(([name, v]) => ({ [name]: v }));
      producer.produce(topic, null, value, key, null, undefined, list);
      if (i % 5_000 === 4_999) {
        while (i + 1 - acked > 50_000) await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      }
    }
    await done((cb) => producer.flush(120_000, cb));
    while (acked < count && failed === undefined) await new Promise((r) => setTimeout(r, 5));
  } finally {
    await done((cb) => producer.disconnect(5_000, cb));
  }
  if (failed !== undefined) throw failed;
  return { msgPerSec: count / ((performance.now() - started) / 1000) };
}

/**
 * Reads `count` records in batches of 1,000 with a fresh group, parses each value as JSON (no
 * validation) and commits after each batch.
 */
export async function rawConsumerPerf(
  connection: ConnectionConfig,
  topic: string,
  count: number,
): Promise<{ msgPerSec: number }> {
  const consumer = new RdKafka.KafkaConsumer(
    consumerConfig({ service: "search-indexer", connection }, "search-indexer", "bench-raw"),
    { "auto.offset.reset": "earliest" },
  );
  consumer.setDefaultConsumeTimeout(100);
  (
    consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }
  ).setDefaultIsTimeoutOnlyForFirstMessage(true);
  await done((cb) => consumer.connect({ timeout: 20_000 }, cb));
  consumer.subscribe([topic]);
  let seen = 0;
  let parsed = 0;
  let first = 0;
  let last = 0;
  const deadline = Date.now() + 300_000;
  try {
    while (seen < count && Date.now() < deadline) {
      const batch = await new Promise<RdKafka.Message[]>((resolve, reject) =>
        consumer.consume(1_000, (error, messages) =>
          error ? reject(new Error(error.message)) : resolve(messages),
        ),
      );
      if (batch.length === 0) continue;
      if (seen === 0) first = performance.now();
      seen += batch.length;
      last = performance.now();
      const next = new Map<string, RdKafka.TopicPartitionOffset>();
      for (const m of batch) {
        if (m.value) parsed += JSON.parse(m.value.toString("utf8")) === null ? 0 : 1;
        next.set(`${m.topic}:${m.partition}`, {
          topic: m.topic,
          partition: m.partition,
          offset: m.offset + 1,
        });
      }
      consumer.commit([...next.values()]);
    }
  } finally {
    await done((cb) => consumer.disconnect(cb));
  }
  if (seen < count) throw new Error(`raw consumer saw ${seen} of ${count} messages in 300 s`);
  if (parsed < count) throw new Error(`raw consumer parsed ${parsed} of ${count} values`);
  return { msgPerSec: count / ((last - first) / 1000) };
}
