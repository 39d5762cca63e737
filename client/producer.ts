import { RdKafka } from "@confluentinc/kafka-javascript";
import type { CatalogEventType, EventPayloadInput } from "../topics/events/registry.ts";
import type { ConnectionConfig } from "./config.ts";
import {
  AuthenticationWatch,
  call,
  connectClearly,
  loginConfig,
  watchEvents,
  type ClientLog,
} from "./connection.ts";
import { createEnvelope, encodeEnvelope, type Envelope, type NewEnvelope } from "./envelope.ts";
import { asError } from "./errors.ts";
import { messageKeyFor } from "./keys.ts";
import { CLIENT_METRICS, NO_METRICS, type MetricsSink } from "./metric-names.ts";
import type { EventTypeOn, ProducibleTopic, ServiceName } from "./topic-types.ts";

/** An event to publish on topic `N`: only the event types the catalog lists for `N` compile. */
export type OutgoingEvent<N extends string> = {
  [E in EventTypeOn<N>]: {
    readonly type: E;
    readonly tenantId: string;
    readonly payload: EventPayloadInput<E>;
    readonly correlationId?: string;
    readonly traceId?: string;
  };
}[EventTypeOn<N>];

export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly envelope: Envelope;
}

export type DeliveryCallback = (error: Error | undefined, delivery: Delivery | undefined) => void;

export interface ProducerTuning {
  /** How long the library waits for more records before it sends (linger.ms). Default 5. */
  readonly lingerMs?: number;
  /** lz4 by default; zstd compresses better at more CPU. */
  readonly compression?: "lz4" | "zstd" | "gzip" | "snappy" | "none";
  /** Total time a record may spend in the library's retries before it fails (ms). Default 120000. */
  readonly deliveryTimeoutMs?: number;
  /** Backoff between the library's retries (ms): initial, doubled up to max. Default 100, 1000. */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
}

export interface ProducerOptions extends ProducerTuning {
  readonly service: ServiceName;
  readonly connection: ConnectionConfig;
  readonly metrics?: MetricsSink;
  readonly log?: ClientLog;
  /** Set for a transactional producer (see KafkaClient.transactionalProducer). */
  readonly transactionalId?: string;
}

/** A transaction may stay open this long before the broker aborts it (and its delivery timeout). */
const TRANSACTION_TIMEOUT_MS = 60_000;
const TRANSACTION_CALL_TIMEOUT_MS = 30_000;

/**
 * librdkafka's settings for the platform: acks=all, idempotent (the producer id and sequence
 * numbers survive retries, so a retry never writes a record twice), Java's murmur2 key hashing
 * for every partition count, lz4, linger 5 ms, retries until the delivery timeout.
 */
export function producerConfig(options: ProducerOptions): {
  global: RdKafka.ProducerGlobalConfig;
  topic: RdKafka.ProducerTopicConfig;
} {
  const transactional = options.transactionalId !== undefined;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
  return {
    global: {
      ...loginConfig(options.connection, `${options.service}-producer`),
      "enable.idempotence": true,
      "compression.codec": options.compression ?? "lz4",
      "linger.ms": options.lingerMs ?? 5,
      "retry.backoff.ms": options.retryBackoffMs ?? 100,
      "retry.backoff.max.ms": options.retryBackoffMaxMs ?? 1_000,
      // Topics come from the catalog and exist long before a service writes them: a topic the
      // cluster does not know fails its records after 5 s instead of 30.
      "topic.metadata.propagation.max.ms": 5_000,
      dr_cb: true,
      ...(transactional
        ? {
            "transactional.id": options.transactionalId,
            "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
          }
        : {}),
    },
    topic: {
      acks: -1,
      partitioner: "murmur2_random",
      // A transaction's records may not outlive it.
      "message.timeout.ms": transactional
        ? Math.min(deliveryTimeoutMs, TRANSACTION_TIMEOUT_MS)
        : deliveryTimeoutMs,
    },
  };
}

/** A message already encoded (dead letters, forwarded records). */
export interface RawMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

type RecordCallback = (
  error: Error | undefined,
  position: { partition: number; offset: string } | undefined,
) => void;

/** librdkafka's producer, connected and polled in the background; one callback per record. */
class LibraryProducer {
  readonly client: RdKafka.Producer;
  private readonly auth = new AuthenticationWatch();
  private connected = false;

  constructor(private readonly options: ProducerOptions) {
    const config = producerConfig(options);
    this.client = new RdKafka.Producer(config.global, config.topic);
    this.client.on("delivery-report", (error, report) => {
      const callback = report.opaque as RecordCallback | undefined;
      if (error) callback?.(asError(error), undefined);
      else callback?.(undefined, { partition: report.partition, offset: String(report.offset) });
    });
    watchEvents(this.client, this.auth, options.log);
  }

  async connect(what: string): Promise<void> {
    await connectClearly(this.client, this.auth, this.options.connection, what);
    this.client.setPollInBackground(true);
    this.connected = true;
  }

  /** Queues one record; a full queue or a bad argument also ends in the callback. */
  produce(topic: string, message: RawMessage, callback: RecordCallback): void {
    const headers = Object.entries(message.headers).map(([name, value]) => ({ [name]: value }));
    try {
      this.client.produce(topic, null, message.value, message.key, null, callback, headers);
    } catch (error) {
      queueMicrotask(() => callback(asError(error), undefined));
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return call((done) => this.client.flush(timeoutMs, done));
  }

  /** Flushes what is queued (up to 5 s) and disconnects. */
  disconnect(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    this.connected = false;
    return call((done) => this.client.disconnect(5_000, done));
  }
}

/** Builds, validates, keys and sends envelopes through a library producer, with metrics. */
export class EnvelopeSender<S extends ServiceName> {
  constructor(
    private readonly producer: LibraryProducer,
    private readonly service: S,
    private readonly metrics: MetricsSink,
  ) {}

  /** Resolves once all in-sync replicas have the envelope. */
  send<N extends ProducibleTopic<S>>(topic: N, event: OutgoingEvent<N>): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.sendAndForget(topic, event, (error, delivery) =>
        delivery === undefined ? reject(error ?? new Error("no delivery")) : resolve(delivery),
      );
    });
  }

  /** Validation errors throw now; the acknowledgement or the failure goes to `onDelivery`. */
  sendAndForget<N extends ProducibleTopic<S>>(
    topic: N,
    event: OutgoingEvent<N>,
    onDelivery?: DeliveryCallback,
  ): void {
    const input: NewEnvelope<CatalogEventType> = { ...event, source: this.service };
    const envelope = createEnvelope(input);
    const { value, headers } = encodeEnvelope(envelope);
    const key = messageKeyFor(topic, envelope);
    this.dispatch(topic, { key, value, headers }, (error, position) => {
      if (error !== undefined || position === undefined) onDelivery?.(error, undefined);
      else onDelivery?.(undefined, { topic, ...position, envelope });
    });
  }

  sendRaw(
    topic: string,
    message: RawMessage,
  ): Promise<{ topic: string; partition: number; offset: string }> {
    return new Promise((resolve, reject) => {
      this.dispatch(topic, message, (error, position) =>
        position === undefined
          ? reject(error ?? new Error("no delivery"))
          : resolve({ topic, ...position }),
      );
    });
  }

  private dispatch(topic: string, message: RawMessage, callback: RecordCallback): void {
    const started = performance.now();
    const attributes = { service: this.service, topic };
    this.producer.produce(topic, message, (error, position) => {
      if (error === undefined) {
        this.metrics.count(CLIENT_METRICS.produceMessages, 1, attributes);
        this.metrics.count(CLIENT_METRICS.produceBytes, message.value?.length ?? 0, attributes);
        this.metrics.record(CLIENT_METRICS.produceLatency, performance.now() - started, attributes);
      } else {
        this.metrics.count(CLIENT_METRICS.produceErrors, 1, { ...attributes, error: error.name });
      }
      try {
        callback(error, position);
      } catch (thrown) {
        console.error(`kafka-platform/client: a delivery callback threw: ${String(thrown)}`);
      }
    });
  }
}

/**
 * The typed producer of one service on librdkafka: acks=all, idempotent, lz4, linger 5 ms; the
 * library retries until the delivery timeout (120 s). `send` awaits the acknowledgement;
 * `sendAndForget` reports through a callback.
 */
export class TypedProducer<S extends ServiceName> {
  protected readonly producer: LibraryProducer;
  protected readonly sender: EnvelopeSender<S>;
  private connected = false;

  constructor(protected readonly options: ProducerOptions & { service: S }) {
    this.producer = new LibraryProducer(options);
    this.sender = new EnvelopeSender(this.producer, options.service, options.metrics ?? NO_METRICS);
  }

  async connect(): Promise<this> {
    await this.producer.connect(`producer of ${this.options.service}`);
    this.connected = true;
    return this;
  }

  send<N extends ProducibleTopic<S>>(topic: N, event: OutgoingEvent<N>): Promise<Delivery> {
    this.assertConnected();
    return this.sender.send(topic, event);
  }

  /** Fire and forget: validation errors throw now; delivery results go to `onDelivery`. */
  sendAndForget<N extends ProducibleTopic<S>>(
    topic: N,
    event: OutgoingEvent<N>,
    onDelivery?: DeliveryCallback,
  ): void {
    this.assertConnected();
    this.sender.sendAndForget(topic, event, onDelivery);
  }

  sendRaw(
    topic: string,
    message: RawMessage,
  ): Promise<{ topic: string; partition: number; offset: string }> {
    this.assertConnected();
    return this.sender.sendRaw(topic, message);
  }

  /** Waits until everything sent so far is acknowledged. */
  flush(timeoutMs = 30_000): Promise<void> {
    return this.producer.flush(timeoutMs);
  }

  /** Flushes (up to 5 s) and disconnects. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  private assertConnected(): void {
    if (!this.connected)
      throw new Error(`producer of ${this.options.service} is not connected; call connect() first`);
  }
}

/** An error after which a transactional producer cannot go on (e.g. fenced by a newer instance). */
export function isFatal(error: unknown): boolean {
  return (error as { isFatal?: unknown } | null)?.isFatal === true;
}

/**
 * A transactional producer (exactly-once): its id is `<service>.tx.<instance>` so the ACLs
 * derived for the service cover it, and a restarted instance with the same id fences the old
 * one. `transaction(fn)` commits when `fn` resolves and aborts when it throws.
 */
export class TransactionalProducer<S extends ServiceName> extends TypedProducer<S> {
  constructor(options: ProducerOptions & { service: S; transactionalId: string }) {
    super(options);
  }

  override async connect(): Promise<this> {
    await super.connect();
    await call((done) => this.producer.client.initTransactions(TRANSACTION_CALL_TIMEOUT_MS, done));
    return this;
  }

  async transaction<T>(fn: (out: EnvelopeSender<S>) => Promise<T>): Promise<T> {
    await this.begin();
    let result: T;
    try {
      result = await fn(this.sender);
    } catch (error) {
      await this.abort();
      throw error;
    }
    await this.commit();
    return result;
  }

  /** The parts of a transaction, for the exactly-once processor. */
  get out(): EnvelopeSender<S> {
    return this.sender;
  }

  begin(): Promise<void> {
    return call((done) => this.producer.client.beginTransaction(done));
  }

  /** Adds a consumer's offsets, with its group metadata (KIP-447), to the open transaction. */
  sendOffsets(
    offsets: RdKafka.TopicPartitionOffset[],
    consumer: RdKafka.KafkaConsumer,
  ): Promise<void> {
    return call((done) =>
      this.producer.client.sendOffsetsToTransaction(
        offsets,
        consumer,
        TRANSACTION_CALL_TIMEOUT_MS,
        done,
      ),
    );
  }

  async commit(): Promise<void> {
    await call((done) => this.producer.client.commitTransaction(TRANSACTION_CALL_TIMEOUT_MS, done));
    this.count(CLIENT_METRICS.transactionsCommitted);
  }

  /** Aborts the open transaction; its records are never read by read_committed consumers. */
  async abort(): Promise<void> {
    this.count(CLIENT_METRICS.transactionsAborted);
    await call((done) =>
      this.producer.client.abortTransaction(TRANSACTION_CALL_TIMEOUT_MS, done),
    ).catch((error: unknown) =>
      this.options.log?.("warn", `abort failed: ${asError(error).message}`),
    );
  }

  private count(
    name: (typeof CLIENT_METRICS)["transactionsCommitted" | "transactionsAborted"],
  ): void {
    (this.options.metrics ?? NO_METRICS).count(name, 1, {
      service: this.options.service,
      transactional_id: this.options.transactionalId ?? "",
    });
  }
}
