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
import { messageKeyFor } from "./keys.ts";
import { CLIENT_METRICS, NO_METRICS, type MetricsSink } from "./metric-names.ts";
import { BatchingProducer, type RecordCallback } from "./batching-producer.ts";
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
  /** How long an idle producer waits for more records before it sends (linger.ms). Default 5. */
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
 * The typed producer of one service: acks=all, idempotent, lz4, linger 5 ms; retries with
 * backoff until the delivery timeout. `send` awaits the acknowledgement; `sendAndForget`
 * returns at once and reports through a callback. Sends through BatchingProducer
 * (client/batching-producer.ts): one request per broker for all the partitions it leads.
 */
export class TypedProducer<S extends ServiceName> {
  private readonly producer: BatchingProducer;
  private readonly sender: EnvelopeSender<S>;
  private connected = false;

  constructor(private readonly options: ProducerOptions & { service: S }) {
    this.producer = new BatchingProducer({
      ...tuned(options),
      connection: options.connection,
      clientId: `${options.service}-producer`,
      ...(options.log ? { log: options.log } : {}),
    });
    this.sender = new EnvelopeSender(
      (topic, message, callback) => this.producer.produce(topic, message, callback),
      options.service,
      options.metrics ?? NO_METRICS,
    );
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
