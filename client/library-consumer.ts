import { RdKafka } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";
import { call, connectClearly, loginConfig, type ClientLog } from "./connection.ts";
import { asError } from "./errors.ts";

/** One record read from Kafka; headers decoded as UTF-8 strings (the last value of a name). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Broker timestamp, ms since the epoch, as a string. */
  readonly timestamp: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (last processed + 1). */
  readonly offset: number;
}

export interface ConsumerSettings {
  readonly connection: ConnectionConfig;
  readonly clientId: string;
  readonly groupId: string;
  /** Kafka group protocol: KIP-848 `consumer` (default) or `classic`. */
  readonly groupProtocol?: "consumer" | "classic";
  /** Where a group without committed offsets starts. Default earliest. */
  readonly startAt?: "earliest" | "latest";
  readonly log?: ClientLog;
}

/**
 * librdkafka's settings for the platform's consumers: manual commits, read_committed, the
 * KIP-848 group protocol. The library handles the group: it changes the assignment only inside
 * `consume()`, so a batch in hand is finished and committed before a partition moves. It reads
 * ahead at most `queued.max.messages.kbytes` per partition (librdkafka's bound).
 */
export function consumerConfig(settings: ConsumerSettings): RdKafka.ConsumerGlobalConfig {
  return {
    ...loginConfig(settings.connection, settings.clientId),
    "group.id": settings.groupId,
    "group.protocol": settings.groupProtocol ?? "consumer",
    "enable.auto.commit": false,
    "isolation.level": "read_committed",
    "fetch.wait.max.ms": 50,
  };
}

function headerStrings(headers: RdKafka.MessageHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers ?? []) {
    for (const name in header) {
      const value = header[name];
      out[name] = Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    }
  }
  return out;
}

function toRecord(message: RdKafka.Message): ConsumedRecord {
  const key = message.key ?? null;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    key: key === null || Buffer.isBuffer(key) ? key : Buffer.from(key),
    value: message.value ?? null,
    timestamp: String(message.timestamp ?? -1),
    headers: headerStrings(message.headers),
  };
}

/** librdkafka's KafkaConsumer through its public API, with promises. */
export class LibraryConsumer {
  readonly client: RdKafka.KafkaConsumer;
  private connected = false;

  constructor(private readonly settings: ConsumerSettings) {
    this.client = new RdKafka.KafkaConsumer(consumerConfig(settings), {
      "auto.offset.reset": settings.startAt ?? "earliest",
    });
    this.client.setDefaultConsumeTimeout(100);
    // Wait for the first record only, then take what is ready (lib/kafka-consumer.js; not typed).
    (
      this.client as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }
    ).setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  async connect(what: string, topics: readonly string[]): Promise<void> {
    await connectClearly(this.client, this.settings, what);
    this.connected = true;
    this.client.subscribe([...topics]);
  }

  /** Up to `max` records: waits for the first one (100 ms), then takes what is ready. */
  consume(max: number): Promise<ConsumedRecord[]> {
    return new Promise((resolve, reject) => {
      this.client.consume(max, (error, messages) =>
        error ? reject(asError(error)) : resolve(messages.map(toRecord)),
      );
    });
  }

  /** Commits in the background, or waits for the broker when `wait` (stopping). */
  commit(offsets: readonly PartitionOffset[], wait: boolean): void {
    if (offsets.length === 0) return;
    if (wait) this.client.commitSync([...offsets]);
    else this.client.commit([...offsets]);
  }

  /** Reads `topic`/`partition` again from `offset`; the records read ahead of it are dropped. */
  seek(topic: string, partition: number, offset: string): Promise<void> {
    return call((done) =>
      this.client.seek({ topic, partition, offset: Number(offset) }, 10_000, done),
    );
  }

  assignment(): { topic: string; partition: number }[] {
    if (!this.connected) return [];
    return this.client.assignments().map(({ topic, partition }) => ({ topic, partition }));
  }

  /**
   * Records after the consumer's position, as of the last fetch (librdkafka's cached end
   * offset; the last stable offset under read_committed); undefined before the first fetch.
   */
  lag(topic: string, partition: number): number | undefined {
    try {
      const { highOffset } = this.client.getWatermarkOffsets(topic, partition);
      const [position] = this.client.position([{ topic, partition }]);
      const at = position?.offset;
      if (highOffset < 0 || typeof at !== "number" || at < 0) return undefined;
      return Math.max(0, highOffset - at);
    } catch {
      return undefined;
    }
  }

  /** Leaves the group and closes. */
  disconnect(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    this.connected = false;
    return call((done) => this.client.disconnect(done));
  }
}

/** Records grouped by partition, in order within each. */
export function byPartition(records: readonly ConsumedRecord[]): ConsumedRecord[][] {
  const partitions = new Map<string, ConsumedRecord[]>();
  for (const record of records) {
    const id = `${record.topic}\u0000${record.partition}`;
    const list = partitions.get(id);
    if (list === undefined) partitions.set(id, [record]);
    else list.push(record);
  }
  return [...partitions.values()];
}
