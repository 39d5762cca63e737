import { RdKafka } from "@confluentinc/kafka-javascript";
import { DEAD_LETTER_HEADERS, deadLetterTopicFor } from "../topics/policy.ts";
import type { ConnectionConfig } from "./config.ts";
import { JSON_CODEC, catalogEntryFor, type Envelope, type EnvelopeCodec } from "./envelope.ts";
import {
  DEFAULT_BACKOFF,
  asError,
  backoffDelay,
  call,
  connectClearly,
  loginConfig,
  sleep,
  type BackoffPolicy,
  type ClientLog,
} from "./library.ts";
import { CLIENT_METRICS, type MetricAttributes, type MetricsSink } from "./metric-names.ts";
import { TypedProducer, type RawMessage } from "./producer.ts";
import type { EventTypeOn, ReadableTopic, ServiceName } from "./topic-types.ts";

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

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** 1 on the first try, up to `retry.maxAttempts`. */
  readonly attempt: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RetryPolicy {
  /** Handler attempts before the message goes to the dead-letter topic. Default 5. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

/** What the consumer and the exactly-once processor are given alike. */
export interface ReaderOptions<S extends ServiceName, N extends string> {
  readonly service: S;
  readonly connection: ConnectionConfig;
  readonly topics: readonly N[];
  readonly retry?: Partial<RetryPolicy>;
  /** Largest batch read at once; the commit follows each batch. Default 100. */
  readonly maxBatchSize?: number;
  readonly metrics?: MetricsSink | undefined;
  readonly log?: ClientLog | undefined;
  /** How record values become envelopes; JSON by default. */
  readonly codec?: EnvelopeCodec | undefined;
  /** Kafka group protocol: KIP-848 `consumer` (default) or `classic`. */
  readonly groupProtocol?: "consumer" | "classic";
}

export interface ConsumerOptions<
  S extends ServiceName,
  N extends ReadableTopic<S>,
> extends ReaderOptions<S, N> {
  readonly handler: (envelope: Envelope<EventTypeOn<N>>, context: MessageContext) => Promise<void>;
  /** Partitions processed at the same time (each one in order). Default 4. */
  readonly concurrency?: number;
}

export interface ConsumerHealth {
  readonly connected: boolean;
  readonly running: boolean;
  /** Lag: records after the last handled one as of the last fetch (undefined before it). */
  readonly assignment: readonly { topic: string; partition: number; lag: number | undefined }[];
  readonly totalLag: number;
  readonly lastError: string | undefined;
}

/** A broadcast reader's own group: starts at the latest offset, commits nothing. */
export interface ConsumerGroupSettings {
  readonly id: string;
  readonly startAt: "earliest" | "latest";
  readonly commits: boolean;
}

/** Pause before a partition whose dead letter could not be written is read again. */
const HOLD_MS = 1_000;
/** How often the topics' ids are compared with the last seen (a topic created again). */
const TOPIC_ID_CHECK_MS = 2_000;
const BEGINNING = -2; // librdkafka's RD_KAFKA_OFFSET_BEGINNING

/** The dead letter of a record: its key, value and headers, plus where it came from and why. */
export function deadLetterFor(
  record: ConsumedRecord,
  error: unknown,
  attempts: number,
  service: string,
): RawMessage {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.originalTopic]: record.topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(record.partition),
      [DEAD_LETTER_HEADERS.originalOffset]: record.offset,
      [DEAD_LETTER_HEADERS.originalTimestamp]: record.timestamp,
      [DEAD_LETTER_HEADERS.error]: text.slice(0, 2_000),
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      [DEAD_LETTER_HEADERS.service]: service,
    },
  };
}

/**
 * The record's envelope, or the error that makes it poison (not an envelope, wrong event type);
 * a promise only when the codec decodes asynchronously.
 */
export function decodeRecord(
  record: ConsumedRecord,
  codec: EnvelopeCodec = JSON_CODEC,
): Envelope | Error | Promise<Envelope | Error> {
  try {
    const decoded = codec.decode(record.topic, record.value, record.headers);
    if (!(decoded instanceof Promise)) return onTopic(record.topic, decoded);
    return decoded.then((envelope) => onTopic(record.topic, envelope), asError);
  } catch (error) {
    return asError(error);
  }
}

function onTopic(topic: string, envelope: Envelope): Envelope | Error {
  const allowed = catalogEntryFor(topic)?.events;
  return allowed === undefined || allowed.includes(envelope.type)
    ? envelope
    : new Error(`event type ${envelope.type} does not belong on ${topic}`);
}

function deadLetterProducer<S extends ServiceName>(options: ReaderOptions<S, string>) {
  const { service, connection, log, metrics, codec } = options;
  return new TypedProducer({ service, connection, log, metrics, codec });
}

function toRecord(message: RdKafka.Message): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const header of message.headers ?? []) {
    for (const name in header) headers[name] = String(header[name]);
  }
  const key = message.key ?? null;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    key: typeof key === "string" ? Buffer.from(key) : key,
    value: message.value ?? null,
    timestamp: String(message.timestamp ?? -1),
    headers,
  };
}

/** librdkafka's settings for the platform's consumers: manual commits, read_committed, KIP-848. */
export function consumerConfig(
  options: Pick<ReaderOptions<ServiceName, string>, "service" | "connection" | "groupProtocol">,
  groupId: string,
  role: string,
): RdKafka.ConsumerGlobalConfig {
  return {
    ...loginConfig(options.connection, `${options.service}-${role}`),
    "group.id": groupId,
    "group.protocol": options.groupProtocol ?? "consumer",
    "enable.auto.commit": false,
    "isolation.level": "read_committed",
    "fetch.wait.max.ms": 50,
  };
}

/**
 * What the consumer and the processor share: the group member, the read loop (the library
 * changes the assignment only inside `consume()`), dead letters, recreated topics, stopping.
 */
export abstract class GroupReader<S extends ServiceName, N extends string> {
  readonly client: RdKafka.KafkaConsumer;
  protected readonly retry: RetryPolicy;
  protected readonly codec: EnvelopeCodec;
  protected readonly stopSignal = new AbortController();
  protected connected = false;
  protected lastError: string | undefined;
  private admin: RdKafka.IAdminClient | undefined;
  private readonly topicIds = new Map<string, string>();
  private recreated: string[] = [];
  private nextIdCheck = 0;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    protected readonly options: ReaderOptions<S, N>,
    protected producer: TypedProducer<S>,
    readonly groupId: string,
    private readonly role: "consumer" | "processor",
    startAt: "earliest" | "latest" = "earliest",
  ) {
    this.client = new RdKafka.KafkaConsumer(consumerConfig(options, groupId, role), {
      "auto.offset.reset": startAt,
    });
    this.client.setDefaultConsumeTimeout(100);
    // Wait for the first record only, then take what is ready (lib/kafka-consumer.js; not typed).
    (
      this.client as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void }
    ).setDefaultIsTimeoutOnlyForFirstMessage(true);
    this.retry = { maxAttempts: 5, backoff: DEFAULT_BACKOFF, ...options.retry };
    this.codec = options.codec ?? JSON_CODEC;
  }

  get deadLetterTopic(): string {
    return deadLetterTopicFor(this.options.service);
  }

  /** Connects its producer and the consumer, joins the group and starts reading. */
  async start(): Promise<void> {
    await this.producer.connect();
    await connectClearly(this.client, this.options, `${this.role} of ${this.options.service}`);
    this.connected = true;
    this.admin = RdKafka.AdminClient.createFrom(this.client);
    await this.checkTopicIds();
    this.client.subscribe([...this.options.topics]);
    this.loop = this.run();
  }

  /** Handles one batch, grouped by partition (in order within each), and commits it. */
  protected abstract process(partitions: ConsumedRecord[][]): Promise<void>;

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      await this.followRecreatedTopics();
      let messages: RdKafka.Message[];
      try {
        messages = await new Promise((resolve, reject) =>
          this.client.consume(this.options.maxBatchSize ?? 100, (e, m) =>
            e ? reject(asError(e)) : resolve(m),
          ),
        );
      } catch (error) {
        this.fail("warn", `consume failed: ${String(error)}`);
        await sleep(HOLD_MS, signal);
        continue;
      }
      if (messages.length === 0) continue;
      const partitions = new Map<string, ConsumedRecord[]>();
      for (const message of messages) {
        const id = `${message.topic}\u0000${message.partition}`;
        const record = toRecord(message);
        const list = partitions.get(id);
        if (list === undefined) partitions.set(id, [record]);
        else list.push(record);
      }
      await this.process([...partitions.values()]);
    }
  }

  /**
   * librdkafka keeps the fetch positions of a topic created again under the same name (decision
   * 0014): every 2 s the topics' ids are looked up in the background, and the assigned
   * partitions of a topic whose id changed are read again from the beginning.
   */
  private async followRecreatedTopics(): Promise<void> {
    if (performance.now() >= this.nextIdCheck) {
      this.nextIdCheck = Number.POSITIVE_INFINITY;
      void this.checkTopicIds().finally(
        () => (this.nextIdCheck = performance.now() + TOPIC_ID_CHECK_MS),
      );
    }
    if (this.recreated.length === 0) return;
    const topics = new Set(this.recreated.splice(0));
    for (const { topic, partition } of this.client.assignments()) {
      if (!topics.has(topic)) continue;
      this.fail(
        "warn",
        `${topic} was deleted and created again: reading ${topic}/${partition} from its beginning`,
      );
      await this.seek(topic, partition, BEGINNING);
    }
  }

  private checkTopicIds(): Promise<void> {
    const admin = this.admin;
    if (admin === undefined) return Promise.resolve();
    return new Promise((resolve) =>
      admin.describeTopics([...this.options.topics], { timeout: 5_000 }, (error, topics) => {
        for (const { name, topicId: uuid, error: missing } of error ? [] : topics) {
          // The bits, not `base64str`: the binding's .d.ts names a field it does not set.
          const id = `${uuid.mostSignificantBits}:${uuid.leastSignificantBits}`;
          if (missing !== undefined || id === "0:0") continue; // deleted, or not known yet
          const before = this.topicIds.get(name);
          if (before !== undefined && before !== id) this.recreated.push(name);
          this.topicIds.set(name, id);
        }
        resolve();
      }),
    );
  }

  /** Reads `topic`/`partition` again from `offset`; the records read ahead of it are dropped. */
  protected seek(topic: string, partition: number, offset: number): Promise<void> {
    return call((done) => this.client.seek({ topic, partition, offset }, 10_000, done)).catch(
      (error: unknown) => this.fail("warn", `seek failed: ${String(error)}`),
    );
  }

  protected fail(level: "warn" | "error", message: string): void {
    this.lastError = message;
    this.options.log?.(level, message);
  }

  protected async deadLetter(
    record: ConsumedRecord,
    error: unknown,
    attempts: number,
    reason: "poison" | "exhausted",
  ): Promise<void> {
    const { service, metrics } = this.options;
    await this.producer.sendRaw(
      this.deadLetterTopic,
      deadLetterFor(record, error, attempts, service),
    );
    metrics?.count(CLIENT_METRICS.deadLetters, 1, { service, topic: record.topic, reason });
  }

  /** Stops taking messages, lets the batch in hand finish and commit, leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      try {
        await this.loop;
        if (this.connected) await call((done) => this.client.disconnect(done));
      } finally {
        this.connected = false;
        await this.producer.disconnect();
      }
    })();
    return this.stopping;
  }

  /** Calls stop() on the first SIGTERM/SIGINT, then `after` (e.g. process.exit). */
  stopOnSignals(
    after: () => void = () => undefined,
    signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"],
  ): void {
    for (const signal of signals) {
      process.once(signal, () => {
        void this.stop().then(after, (error: unknown) => {
          this.options.log?.("error", `stopping on ${signal} failed: ${String(error)}`);
          after();
        });
      });
    }
  }
}

/**
 * The typed consumer of one service (docs/client.md, "Consume"): each batch split by partition,
 * each partition in order, up to `concurrency` at once, handler retries, dead letters, then
 * the commit of what was handled.
 */
export class TypedConsumer<S extends ServiceName, N extends ReadableTopic<S>> extends GroupReader<
  S,
  N
> {
  private readonly lag = new Map<string, number>();
  private readonly attributes = new Map<string, MetricAttributes>();
  private readonly commits: boolean;

  constructor(
    private readonly consumerOptions: ConsumerOptions<S, N>,
    group?: ConsumerGroupSettings,
  ) {
    super(
      consumerOptions,
      deadLetterProducer(consumerOptions),
      group?.id ?? consumerOptions.service,
      "consumer",
      group?.startAt,
    );
    this.commits = group?.commits ?? true;
  }

  protected async process(partitions: ConsumedRecord[][]): Promise<void> {
    const done: RdKafka.TopicPartitionOffset[] = [];
    const worker = async (): Promise<void> => {
      for (let list = partitions.shift(); list !== undefined; list = partitions.shift()) {
        const next = await this.processPartition(list);
        if (next !== undefined) done.push(next);
      }
    };
    const workers = Math.min(this.consumerOptions.concurrency ?? 4, partitions.length);
    await Promise.all(Array.from({ length: workers }, worker));
    if (!this.commits || done.length === 0) return;
    try {
      // When stopping, wait for the broker so nothing handled is read again after a restart.
      if (this.stopSignal.signal.aborted) this.client.commitSync(done);
      else this.client.commit(done);
    } catch (error) {
      this.fail("warn", `commit failed: ${String(error)}`);
    }
  }

  /** Handles one partition's records in order; returns the offset to commit, if any. */
  private async processPartition(
    records: readonly ConsumedRecord[],
  ): Promise<RdKafka.TopicPartitionOffset | undefined> {
    let done: ConsumedRecord | undefined;
    for (const record of records) {
      if (this.stopSignal.signal.aborted) break;
      try {
        if (!(await this.handle(record))) break; // stopping: leave it uncommitted
      } catch (error) {
        // Its dead letter could not be written: commit what came before, read the partition
        // again from this record after a pause, and hand nothing after it over meanwhile.
        const { topic, partition, offset } = record;
        this.fail(
          "error",
          `processing ${topic}/${partition} stopped at offset ${offset}: ${String(error)}`,
        );
        await this.seek(topic, partition, Number(offset));
        await sleep(HOLD_MS, this.stopSignal.signal);
        break;
      }
      done = record;
    }
    if (done === undefined) return undefined;
    const { topic, partition } = done;
    const lag = this.lagOf(topic, partition);
    if (lag !== undefined) this.lag.set(`${topic}\u0000${partition}`, lag);
    return { topic, partition, offset: Number(done.offset) + 1 };
  }

  /** Handles a record with retries, else dead-letters it; false when stopping interrupted it. */
  private async handle(record: ConsumedRecord): Promise<boolean> {
    const started = performance.now();
    let decoded = decodeRecord(record, this.codec);
    if (decoded instanceof Promise) decoded = await decoded;
    if (decoded instanceof Error) {
      await this.deadLetter(record, decoded, 0, "poison");
      return true;
    }
    const envelope = decoded as Envelope<EventTypeOn<N>>;
    const { topic, partition, offset, headers } = record;
    const { metrics, service, handler } = this.consumerOptions;
    let attributes = this.attributes.get(topic);
    if (attributes === undefined) {
      attributes = { service, topic, group: this.groupId };
      this.attributes.set(topic, attributes);
    }
    const key = record.key?.toString("utf8") ?? null;
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      try {
        await handler(envelope, { topic, partition, offset, key, attempt, headers });
        if (metrics !== undefined) {
          metrics.count(CLIENT_METRICS.consumeMessages, 1, attributes);
          metrics.record(CLIENT_METRICS.consumeLatency, performance.now() - started, attributes);
          const endToEnd = Date.now() - Date.parse(envelope.timestamp);
          metrics.record(CLIENT_METRICS.endToEndLatency, endToEnd, attributes);
        }
        return true;
      } catch (error) {
        lastError = error;
        this.lastError = error instanceof Error ? error.message : String(error);
        const name = error instanceof Error ? error.name : "unknown";
        metrics?.count(CLIENT_METRICS.consumeErrors, 1, { ...attributes, error: name });
        if (attempt < this.retry.maxAttempts) {
          metrics?.count(CLIENT_METRICS.consumeRetries, 1, attributes);
          await sleep(backoffDelay(attempt, this.retry.backoff), this.stopSignal.signal);
          if (this.stopSignal.signal.aborted) return false;
        }
      }
    }
    await this.deadLetter(record, lastError, this.retry.maxAttempts, "exhausted");
    return true;
  }

  protected override async deadLetter(
    ...args: Parameters<GroupReader<S, N>["deadLetter"]>
  ): Promise<void> {
    if (this.producer.failed) {
      // librdkafka's producer is done for after a fatal error: the next try gets a new one.
      void this.producer.disconnect().catch(() => undefined);
      this.producer = deadLetterProducer(this.consumerOptions);
      await this.producer.connect();
    }
    await super.deadLetter(...args);
  }

  /** Records after the position as of the last fetch (the last stable offset); or undefined. */
  private lagOf(topic: string, partition: number): number | undefined {
    try {
      const { highOffset } = this.client.getWatermarkOffsets(topic, partition);
      const at = this.client.position([{ topic, partition }])[0]?.offset;
      if (highOffset < 0 || typeof at !== "number" || at < 0) return undefined;
      return Math.max(0, highOffset - at);
    } catch {
      return undefined;
    }
  }

  health(): ConsumerHealth {
    const assignment = this.connected ? this.client.assignments() : [];
    const partitions = assignment.map(({ topic, partition }) => ({
      topic,
      partition,
      lag: this.lag.get(`${topic}\u0000${partition}`),
    }));
    const { metrics, service } = this.consumerOptions;
    for (const { topic, partition, lag } of partitions) {
      if (lag === undefined) continue;
      const attributes = { service, group: this.groupId, topic, partition };
      metrics?.gauge(CLIENT_METRICS.consumerLag, lag, attributes);
    }
    return {
      connected: this.connected,
      running: this.connected && !this.stopSignal.signal.aborted,
      assignment: partitions,
      totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
      lastError: this.lastError,
    };
  }
}
