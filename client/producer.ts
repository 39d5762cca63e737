import { RdKafka } from "@confluentinc/kafka-javascript";
import type { CatalogEventType, EventPayloadInput } from "../topics/events/registry.ts";
import type { ConnectionConfig } from "./config.ts";
import {
  JSON_CODEC,
  createEnvelope,
  messageKeyFor,
  type Envelope,
  type EnvelopeCodec,
  type NewEnvelope,
} from "./envelope.ts";
import { asError, call, connectClearly, loginConfig, type ClientLog } from "./library.ts";
import { CLIENT_METRICS, type MetricAttributes, type MetricsSink } from "./metric-names.ts";
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

/** A message already encoded (dead letters, forwarded records). */
export interface RawMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

type Position = { partition: number; offset: string };

/** A record on its way: the library hands it back with the record's delivery report. */
interface Pending {
  readonly topic: string;
  readonly bytes: number;
  readonly started: number;
  /** Undefined for raw messages (dead letters), whose callback ignores it. */
  readonly envelope: Envelope | undefined;
  readonly onDelivery: DeliveryCallback | undefined;
}

export interface ProducerTuning {
  /** How long the library waits for more records before it sends (linger.ms). Default 5. */
  readonly lingerMs?: number;
  /** lz4 by default; zstd compresses better at more CPU. */
  readonly compression?: "lz4" | "zstd" | "gzip" | "snappy" | "none";
  /** How long a record may spend in the library's retries before it fails (ms). Default 120000. */
  readonly deliveryTimeoutMs?: number;
}

export interface ProducerOptions extends ProducerTuning {
  readonly service: ServiceName;
  readonly connection: ConnectionConfig;
  readonly metrics?: MetricsSink | undefined;
  readonly log?: ClientLog | undefined;
  /** How envelopes become record values; JSON by default. */
  readonly codec?: EnvelopeCodec | undefined;
  /** Set for a transactional producer (see KafkaClient.transactionalProducer). */
  readonly transactionalId?: string;
}

/** A transaction may stay open this long before the broker aborts it; its records no longer. */
const TRANSACTION_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;
/** librdkafka's RD_KAFKA_RESP_ERR__FATAL: the instance cannot be used any more. */
const ERR_FATAL = -150;

/**
 * librdkafka's settings for the platform over its defaults (acks=all, linger 5 ms, retry
 * backoff 100 ms to 1 s): idempotent, Java's murmur2 key hashing, lz4, delivery timeout 120 s
 * (60 s in a transaction). Why each: decision 0005 and docs/client.md, "Produce".
 */
export function producerConfig(options: ProducerOptions): {
  global: RdKafka.ProducerGlobalConfig;
  topic: RdKafka.ProducerTopicConfig;
} {
  const { transactionalId, deliveryTimeoutMs = 120_000 } = options;
  const transactional = transactionalId !== undefined;
  return {
    global: {
      ...loginConfig(options.connection, `${options.service}-producer`),
      "enable.idempotence": true,
      "compression.codec": options.compression ?? "lz4",
      ...(options.lingerMs !== undefined ? { "linger.ms": options.lingerMs } : {}),
      // Catalog topics exist long before a service writes them: an unknown one fails after 5 s.
      "topic.metadata.propagation.max.ms": 5_000,
      dr_cb: true,
      ...(transactional ? { "transactional.id": transactionalId } : {}),
      ...(transactional ? { "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS } : {}),
    },
    topic: {
      partitioner: "murmur2_random",
      "message.timeout.ms": Math.min(
        deliveryTimeoutMs,
        transactional ? TRANSACTION_TIMEOUT_MS : deliveryTimeoutMs,
      ),
    },
  };
}

/**
 * The typed producer of one service: builds, validates, keys and encodes envelopes; the library
 * (polled in the background) batches, retries and reports each delivery.
 */
export class TypedProducer<S extends ServiceName> {
  protected readonly client: RdKafka.Producer;
  private readonly codec: EnvelopeCodec;
  /** Metric attributes per topic, built once rather than per message. */
  private readonly attributes = new Map<string, MetricAttributes>();
  private connected = false;
  private fatal = false;

  constructor(protected readonly options: ProducerOptions & { service: S }) {
    const config = producerConfig(options);
    this.client = new RdKafka.Producer(config.global, config.topic);
    this.client.on("delivery-report", (error, report) => {
      const failure = error ? asError(error) : undefined;
      this.settle(report.opaque as Pending | undefined, failure, report.partition, report.offset);
    });
    this.client.on("event.error", (error) => {
      if (error.isFatal === true) this.fatal = true;
    });
    this.codec = options.codec ?? JSON_CODEC;
  }

  async connect(): Promise<this> {
    await connectClearly(this.client, this.options, `producer of ${this.options.service}`);
    this.client.setPollInBackground(true);
    this.connected = true;
    return this;
  }

  /**
   * True after a fatal error of the library (e.g. the broker refused a producer id because the
   * service may write no topic): nothing more can be sent; create a new producer.
   */
  get failed(): boolean {
    return this.fatal;
  }

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
    this.assertConnected();
    const input: NewEnvelope<CatalogEventType> = { ...event, source: this.options.service };
    const envelope = createEnvelope(input);
    const key = messageKeyFor(topic, envelope);
    const encoded = this.codec.encode(topic, envelope);
    if (!(encoded instanceof Promise))
      return this.dispatch(topic, key, encoded, envelope, onDelivery);
    encoded.then(
      (ready) => this.dispatch(topic, key, ready, envelope, onDelivery),
      (error: unknown) => onDelivery?.(asError(error), undefined),
    );
  }

  sendRaw(topic: string, message: RawMessage): Promise<Position & { topic: string }> {
    this.assertConnected();
    return new Promise((resolve, reject) => {
      this.dispatch(topic, message.key, message, undefined, (error, delivery) => {
        if (delivery === undefined) reject(error ?? new Error("no delivery"));
        else resolve({ topic, partition: delivery.partition, offset: delivery.offset });
      });
    });
  }

  /** Hands a record to the library; its delivery report settles `onDelivery` (see settle). */
  private dispatch(
    topic: string,
    key: RawMessage["key"],
    { value, headers }: Omit<RawMessage, "key">,
    envelope: Envelope | undefined,
    onDelivery: DeliveryCallback | undefined,
  ): void {
    const bytes = value?.length ?? 0;
    const { metrics } = this.options;
    // No callback and no metrics: no per-record state at all for the library to carry.
    const pending: Pending | undefined =
      onDelivery || metrics
        ? { topic, bytes, envelope, onDelivery, started: metrics ? performance.now() : 0 }
        : undefined;
    const list: Record<string, string>[] = [];
    for (const name in headers) list.push({ [name]: headers[name] as string });
    try {
      this.client.produce(topic, null, value, key, null, pending, list);
    } catch (error) {
      queueMicrotask(() => this.settle(pending, asError(error), -1, -1)); // e.g. local queue full
    }
  }

  /** One record's delivery report: metrics, a fatal error noticed, the sender's callback. */
  private settle(pending: Pending | undefined, failure: Error | undefined, p: number, o: number) {
    // A fatal error arrives in a delivery report, or as produce() throwing once in that state.
    if ((failure as { code?: unknown } | undefined)?.code === ERR_FATAL) this.fatal = true;
    if (pending === undefined) return;
    const { topic, bytes, started, envelope, onDelivery } = pending;
    const { metrics, service } = this.options;
    if (metrics !== undefined) {
      let attributes = this.attributes.get(topic);
      if (attributes === undefined) this.attributes.set(topic, (attributes = { service, topic }));
      if (failure === undefined) {
        metrics.count(CLIENT_METRICS.produceMessages, 1, attributes);
        metrics.count(CLIENT_METRICS.produceBytes, bytes, attributes);
        metrics.record(CLIENT_METRICS.produceLatency, performance.now() - started, attributes);
      } else {
        metrics.count(CLIENT_METRICS.produceErrors, 1, { ...attributes, error: failure.name });
      }
    }
    try {
      if (failure === undefined) {
        onDelivery?.(undefined, {
          topic,
          partition: p,
          offset: String(o),
          envelope: envelope as Envelope,
        });
      } else {
        const error = new Error(`cannot write to ${topic}: ${failure.message}`, { cause: failure });
        onDelivery?.(error, undefined);
      }
    } catch (thrown) {
      this.options.log?.("error", `a delivery callback threw: ${String(thrown)}`);
    }
  }

  /** Waits until everything sent so far is acknowledged. */
  flush(timeoutMs = 30_000): Promise<void> {
    return call((cb) => this.client.flush(timeoutMs, cb));
  }

  /** Flushes (up to 5 s) and disconnects. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await call((cb) => this.client.disconnect(5_000, cb));
  }

  private assertConnected(): void {
    if (!this.connected)
      throw new Error(`producer of ${this.options.service} is not connected; call connect() first`);
  }
}

/** What a transaction's callback sends through. */
export type EnvelopeSender<S extends ServiceName> = Pick<
  TypedProducer<S>,
  "send" | "sendAndForget" | "sendRaw"
>;

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
  override async connect(): Promise<this> {
    await super.connect();
    await call((cb) => this.client.initTransactions(CALL_TIMEOUT_MS, cb));
    return this;
  }

  async transaction<T>(fn: (out: EnvelopeSender<S>) => Promise<T>): Promise<T> {
    await this.begin();
    let result: T;
    try {
      result = await fn(this);
    } catch (error) {
      await this.abort();
      throw error;
    }
    await this.commit();
    return result;
  }

  begin(): Promise<void> {
    return call((cb) => this.client.beginTransaction(cb));
  }

  /** Adds a consumer's offsets, with its group metadata (KIP-447), to the open transaction. */
  sendOffsets(
    offsets: RdKafka.TopicPartitionOffset[],
    consumer: RdKafka.KafkaConsumer,
  ): Promise<void> {
    return call((cb) =>
      this.client.sendOffsetsToTransaction(offsets, consumer, CALL_TIMEOUT_MS, cb),
    );
  }

  async commit(): Promise<void> {
    await call((cb) => this.client.commitTransaction(CALL_TIMEOUT_MS, cb));
    this.count(CLIENT_METRICS.transactionsCommitted);
  }

  /** Aborts the open transaction: read_committed consumers never see its records. */
  async abort(): Promise<void> {
    this.count(CLIENT_METRICS.transactionsAborted);
    await call((cb) => this.client.abortTransaction(CALL_TIMEOUT_MS, cb)).catch(
      (error: unknown) => {
        if (isFatal(error)) throw error;
        this.options.log?.("warn", `abort failed: ${asError(error).message}`);
      },
    );
  }

  private count(name: "kafka.client.transactions.committed" | "kafka.client.transactions.aborted") {
    const { service, transactionalId = "", metrics } = this.options;
    metrics?.count(name, 1, { service, transactional_id: transactionalId });
  }
}
