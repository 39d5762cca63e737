import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { CatalogEventType, EventPayloadInput } from "../topics/events/registry.ts";
import type { ConnectionConfig } from "./config.ts";
import {
  type AuthenticationWatch,
  connectClearly,
  createKafka,
  type ClientLog,
} from "./connection.ts";
import { createEnvelope, encodeEnvelope, type Envelope, type NewEnvelope } from "./envelope.ts";
import { sleep } from "./backoff.ts";
import { messageKeyFor } from "./keys.ts";
import { CLIENT_METRICS, NO_METRICS, type MetricsSink } from "./metric-names.ts";
import { NativeProducer, type RecordCallback } from "./native-producer.ts";
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
  /** Wait up to this long to fill a batch (librdkafka linger.ms). Default 5. */
  readonly lingerMs?: number;
  /** lz4 by default; zstd compresses better at more CPU. */
  readonly compression?: "lz4" | "zstd" | "gzip" | "snappy" | "none";
  /** Total time a message may spend in retries before its send fails (ms). Default 120000. */
  readonly deliveryTimeoutMs?: number;
  /** Backoff between the library's own retries (ms): initial, doubled up to max. */
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

const COMPRESSION: Record<NonNullable<ProducerTuning["compression"]>, KafkaJS.CompressionTypes> = {
  lz4: KafkaJS.CompressionTypes.LZ4,
  zstd: KafkaJS.CompressionTypes.ZSTD,
  gzip: KafkaJS.CompressionTypes.GZIP,
  snappy: KafkaJS.CompressionTypes.Snappy,
  none: KafkaJS.CompressionTypes.None,
};

/** The KafkaJS-layer producer with the platform's durability settings (transactions). */
export function createLibraryProducer(options: ProducerOptions): {
  producer: KafkaJS.Producer;
  auth: AuthenticationWatch;
} {
  const settings = tuned(options);
  const { kafka, auth } = createKafka(
    options.connection,
    `${options.service}-producer`,
    options.log,
  );
  const producer = kafka.producer({
    kafkaJS: {
      acks: -1,
      idempotent: true,
      compression: COMPRESSION[settings.compression],
      ...(options.transactionalId !== undefined
        ? { transactionalId: options.transactionalId, maxInFlightRequests: 1 }
        : {}),
    },
    "linger.ms": settings.lingerMs,
    // A transactional producer's delivery timeout may not exceed its transaction timeout (60 s).
    "message.timeout.ms":
      options.transactionalId !== undefined
        ? Math.min(options.deliveryTimeoutMs ?? 60_000, 60_000)
        : settings.deliveryTimeoutMs,
    "retry.backoff.ms": settings.retryBackoffMs,
    "retry.backoff.max.ms": settings.retryBackoffMaxMs,
  });
  return { producer, auth };
}

/** A message already encoded (dead letters, forwarded records). */
export interface RawMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Hands one record to a producer or a transaction; `callback` runs once it is acknowledged. */
export type RecordDispatch = (topic: string, message: RawMessage, callback: RecordCallback) => void;

/** Dispatches through a KafkaJS-layer producer or transaction (transactions use this). */
export function kafkaJsDispatch(target: {
  send(record: KafkaJS.ProducerRecord): Promise<KafkaJS.RecordMetadata[]>;
}): RecordDispatch {
  return (topic, message, callback) => {
    target.send({ topic, messages: [{ ...message }] }).then(
      ([meta]) =>
        callback(undefined, {
          partition: meta?.partition ?? -1,
          offset: meta?.offset ?? meta?.baseOffset ?? "-1",
        }),
      (error: unknown) =>
        callback(error instanceof Error ? error : new Error(String(error)), undefined),
    );
  };
}

/** Builds, validates and sends envelopes through a dispatch, with metrics. */
export class EnvelopeSender<S extends ServiceName> {
  constructor(
    private readonly dispatch: RecordDispatch,
    private readonly service: S,
    private readonly metrics: MetricsSink,
  ) {}

  /** Builds, validates and sends an envelope; resolves once all in-sync replicas have it. */
  send<N extends ProducibleTopic<S>>(topic: N, event: OutgoingEvent<N>): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.sendAndForget(topic, event, (error, delivery) => {
        if (error !== undefined || delivery === undefined)
          reject(error ?? new Error("no delivery"));
        else resolve(delivery);
      });
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
    this.dispatchMeasured(topic, { key, value, headers }, (error, position) => {
      if (onDelivery === undefined) return;
      if (error !== undefined || position === undefined) onDelivery(error, undefined);
      else onDelivery(undefined, { topic, ...position, envelope });
    });
  }

  sendRaw(
    topic: string,
    message: RawMessage,
  ): Promise<{ topic: string; partition: number; offset: string }> {
    return new Promise((resolve, reject) => {
      this.dispatchMeasured(topic, message, (error, position) => {
        if (error !== undefined || position === undefined)
          reject(error ?? new Error("no delivery"));
        else resolve({ topic, ...position });
      });
    });
  }

  private dispatchMeasured(topic: string, message: RawMessage, callback: RecordCallback): void {
    const started = performance.now();
    const attributes = { service: this.service, topic };
    this.dispatch(topic, message, (error, position) => {
      if (error === undefined) {
        this.metrics.count(CLIENT_METRICS.produceMessages, 1, attributes);
        this.metrics.count(CLIENT_METRICS.produceBytes, message.value?.length ?? 0, attributes);
        this.metrics.record(CLIENT_METRICS.produceLatency, performance.now() - started, attributes);
      } else {
        this.metrics.count(CLIENT_METRICS.produceErrors, 1, {
          ...attributes,
          error: errorName(error),
        });
      }
      callback(error, position);
    });
  }
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}

/** librdkafka's code for a fatal error: the producer instance cannot be used again. */
const ERR_FATAL = -150;

/** A record refused because its producer hit a fatal error earlier (the code librdkafka gives it). */
function isFatalError(error: Error): boolean {
  return (error as Error & { code?: unknown }).code === ERR_FATAL;
}

/** The shortest time between two replacements of a producer after fatal errors. */
const REPLACE_INTERVAL_MS = 5_000;

/** The platform's defaults for a producer's tuning. */
function tuned(options: ProducerOptions): Required<ProducerTuning> {
  return {
    lingerMs: options.lingerMs ?? 5,
    compression: options.compression ?? "lz4",
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 120_000,
    retryBackoffMs: options.retryBackoffMs ?? 100,
    retryBackoffMaxMs: options.retryBackoffMaxMs ?? 1_000,
  };
}

/**
 * The typed producer of one service: acks=all, idempotent, lz4, linger 5 ms; librdkafka retries
 * with backoff until the delivery timeout. `send` awaits the acknowledgement; `sendAndForget`
 * returns at once and reports through a callback. Runs on librdkafka's own API
 * (client/native-producer.ts) for a fraction of the CPU per message of the KafkaJS layer.
 */
export class TypedProducer<S extends ServiceName> {
  private producer: NativeProducer;
  private readonly sender: EnvelopeSender<S>;
  private connected = false;
  /** Set while a new librdkafka producer replaces one that hit a fatal error. */
  private replacing = false;
  private lastReplacedAt = 0;
  /** Fired by disconnect(): a replacement waiting for its turn gives up. */
  private readonly closing = new AbortController();

  constructor(private readonly options: ProducerOptions & { service: S }) {
    this.producer = this.nativeProducer();
    this.sender = new EnvelopeSender(
      (topic, message, callback) => this.dispatch(topic, message, callback),
      options.service,
      options.metrics ?? NO_METRICS,
    );
  }

  private nativeProducer(): NativeProducer {
    return new NativeProducer({
      ...tuned(this.options),
      connection: this.options.connection,
      clientId: `${this.options.service}-producer`,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
  }

  private dispatch(topic: string, message: RawMessage, callback: RecordCallback): void {
    const producer = this.producer;
    producer.produce(topic, message, (error, position) => {
      if (error !== undefined && isFatalError(error)) this.replaceAfterFatal(producer, error);
      callback(error, position);
    });
  }

  /**
   * An idempotent librdkafka producer that hits a fatal error (its producer id refused, e.g.
   * before the service's ACLs arrive, or its sequence state lost) is unusable for good: records
   * queued then fail, and every later one fails with librdkafka's fatal code. The first such
   * record starts a replacement; a new producer takes its place, at most one attempt per
   * REPLACE_INTERVAL_MS, so a service recovers once the cause is gone. Records sent until then
   * fail and are reported as failed (a consumer retries its dead letters).
   */
  private replaceAfterFatal(failed: NativeProducer, error: Error): void {
    if (failed !== this.producer || this.replacing || !this.connected) return;
    this.replacing = true;
    const wait = Math.max(0, this.lastReplacedAt + REPLACE_INTERVAL_MS - Date.now());
    this.options.log?.(
      "warn",
      `producer of ${this.options.service} hit a fatal error (${error.message}); replacing it in ${wait} ms`,
    );
    void (async () => {
      await sleep(wait, this.closing.signal);
      if (!this.connected) return;
      this.lastReplacedAt = Date.now();
      const fresh = this.nativeProducer();
      try {
        await fresh.connect();
      } catch (connectError) {
        this.options.log?.(
          "error",
          `replacement producer failed to connect: ${String(connectError)}`,
        );
        await fresh.disconnect().catch(() => undefined);
        return;
      }
      if (!this.connected) {
        // disconnect() came while this one connected: it is nobody's, close it.
        await fresh.disconnect().catch(() => undefined);
        return;
      }
      this.producer = fresh;
      return failed;
    })()
      .finally(() => {
        this.replacing = false;
      })
      .then((old) => old?.disconnect())
      .catch(() => undefined);
  }

  async connect(): Promise<this> {
    await connectClearly(
      this.producer,
      this.producer.auth,
      this.options.connection,
      `producer of ${this.options.service}`,
    );
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
  async flush(timeoutMs = 30_000): Promise<void> {
    await this.producer.flush(timeoutMs);
  }

  /** Flushes (up to 5 s) and disconnects. */
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.closing.abort(); // a replacement still connecting closes its producer itself
    await this.producer.disconnect();
  }

  private assertConnected(): void {
    if (!this.connected)
      throw new Error(`producer of ${this.options.service} is not connected; call connect() first`);
  }
}

/**
 * A transactional producer (exactly-once): its id is `<service>.tx.<instance>` so the ACLs
 * derived for the service cover it, and a restarted instance with the same id fences the old
 * one. `transaction(fn)` commits when `fn` resolves and aborts when it throws. Runs on the
 * KafkaJS layer, whose transaction API the processor's offset hand-over needs.
 */
export class TransactionalProducer<S extends ServiceName> {
  private readonly producer: KafkaJS.Producer;
  private readonly auth: AuthenticationWatch;
  private readonly metrics: MetricsSink;
  private connected = false;

  constructor(private readonly options: ProducerOptions & { service: S; transactionalId: string }) {
    ({ producer: this.producer, auth: this.auth } = createLibraryProducer(options));
    this.metrics = options.metrics ?? NO_METRICS;
  }

  async connect(): Promise<this> {
    await connectClearly(
      this.producer,
      this.auth,
      this.options.connection,
      `transactional producer of ${this.options.service}`,
    );
    this.connected = true;
    return this;
  }

  async transaction<T>(
    fn: (tx: EnvelopeSender<S>, raw: KafkaJS.Transaction) => Promise<T>,
  ): Promise<T> {
    const tx = await this.producer.transaction();
    const attributes = {
      service: this.options.service,
      transactional_id: this.options.transactionalId,
    };
    try {
      const result = await fn(
        new EnvelopeSender(kafkaJsDispatch(tx), this.options.service, this.metrics),
        tx,
      );
      await tx.commit();
      this.metrics.count(CLIENT_METRICS.transactionsCommitted, 1, attributes);
      return result;
    } catch (error) {
      if (tx.isActive()) await tx.abort().catch(() => undefined);
      this.metrics.count(CLIENT_METRICS.transactionsAborted, 1, attributes);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
