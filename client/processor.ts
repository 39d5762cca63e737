import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { transactionalIdPrefixFor } from "../acl/derive.ts";
import { deadLetterTopicFor } from "../topics/policy.ts";
import { DEFAULT_BACKOFF, backoffDelay, sleep } from "./backoff.ts";
import type { ConnectionConfig } from "./config.ts";
import { connectClearly, type AuthenticationWatch, type ClientLog } from "./connection.ts";
import { createLibraryConsumer, type RetryPolicy, DEFAULT_RETRY } from "./consumer.ts";
import { deadLetterHeaders, headersToStrings } from "./dead-letter.ts";
import { decodeEnvelope, type Envelope } from "./envelope.ts";
import { catalogEntryFor } from "./keys.ts";
import { CLIENT_METRICS, NO_METRICS, type MetricsSink } from "./metric-names.ts";
import { TransactionalProducer, type EnvelopeSender } from "./producer.ts";
import type { ConsumableTopic, EventTypeOn, ServiceName } from "./topic-types.ts";

export interface ProcessorOptions<S extends ServiceName, N extends ConsumableTopic<S>> {
  readonly service: S;
  readonly connection: ConnectionConfig;
  readonly topics: readonly N[];
  /** Stable per instance (e.g. the pod ordinal): the transactional id is `<service>.tx.<instanceId>`. */
  readonly instanceId: string;
  /** Sends its outputs through `out`; they commit together with the input offsets. */
  readonly transform: (envelope: Envelope<EventTypeOn<N>>, out: EnvelopeSender<S>) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  readonly maxBatchSize?: number;
  readonly metrics?: MetricsSink;
  readonly log?: ClientLog;
  readonly groupProtocol?: "consumer" | "classic";
}

/**
 * Exactly-once consume-transform-produce. Each fetched batch of one partition becomes one
 * transaction: the outputs, any dead letters and the consumer offsets (sent with the group
 * metadata, KIP-447) commit atomically. Inputs are read read_committed. A failing transform
 * aborts the transaction and the batch is read again after a backoff; once a message has failed
 * `maxAttempts` times it is dead-lettered inside the transaction instead. A restarted instance
 * with the same transactional id fences its predecessor, whose open transaction is aborted.
 */
export class ExactlyOnceProcessor<S extends ServiceName, N extends ConsumableTopic<S>> {
  private readonly consumer: KafkaJS.Consumer;
  private readonly auth: AuthenticationWatch;
  private readonly producer: TransactionalProducer<S>;
  private readonly retry: RetryPolicy;
  private readonly metrics: MetricsSink;
  private readonly failures = new Map<string, number>();
  private readonly stopSignal = new AbortController();
  private connected = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ProcessorOptions<S, N>) {
    ({ consumer: this.consumer, auth: this.auth } = createLibraryConsumer(
      options.connection,
      options.service,
      {
        ...options,
        readCommitted: true,
      },
    ));
    this.producer = new TransactionalProducer({
      service: options.service,
      connection: options.connection,
      transactionalId: `${transactionalIdPrefixFor(options.service)}${options.instanceId}`,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.retry = {
      ...DEFAULT_RETRY,
      ...options.retry,
      backoff: options.retry?.backoff ?? DEFAULT_BACKOFF,
    };
    this.metrics = options.metrics ?? NO_METRICS;
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await connectClearly(
      this.consumer,
      this.auth,
      this.options.connection,
      `processor of ${this.options.service}`,
    );
    this.connected = true;
    await this.consumer.subscribe({ topics: [...this.options.topics] });
    await this.consumer.run({
      partitionsConsumedConcurrently: 1,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch(payload: KafkaJS.EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const messages = batch.messages;
    if (
      messages.length === 0 ||
      this.stopSignal.signal.aborted ||
      !payload.isRunning() ||
      payload.isStale()
    )
      return;
    let failedAt: string | undefined;
    try {
      const last = await this.producer.transaction(async (out, raw) => {
        let processed: string | undefined;
        for (const message of messages) {
          if (this.stopSignal.signal.aborted) break;
          failedAt = message.offset;
          await this.processOne(topic, partition, message, out);
          processed = message.offset;
        }
        if (processed !== undefined) {
          await raw.sendOffsets({
            consumer: this.consumer,
            topics: [
              { topic, partitions: [{ partition, offset: (BigInt(processed) + 1n).toString() }] },
            ],
          });
        }
        return processed;
      });
      if (last !== undefined) {
        payload.resolveOffset(last);
        for (const m of messages) this.failures.delete(`${topic}:${partition}:${m.offset}`);
      }
    } catch (error) {
      const key = `${topic}:${partition}:${failedAt ?? "?"}`;
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      this.metrics.count(CLIENT_METRICS.consumeErrors, 1, { service: this.options.service, topic });
      this.metrics.count(CLIENT_METRICS.consumeRetries, 1, {
        service: this.options.service,
        topic,
      });
      this.options.log?.(
        "warn",
        `transaction for ${topic}/${partition} aborted (attempt ${attempts}): ${String(error)}`,
      );
      await sleep(backoffDelay(Math.min(attempts, 30), this.retry.backoff), this.stopSignal.signal);
      throw error; // the batch is fetched again from the last committed offset
    }
  }

  private async processOne(
    topic: string,
    partition: number,
    message: KafkaJS.KafkaMessage,
    out: EnvelopeSender<S>,
  ): Promise<void> {
    const headers = headersToStrings(message.headers);
    const failures = this.failures.get(`${topic}:${partition}:${message.offset}`) ?? 0;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(message.value, headers);
      const allowed = catalogEntryFor(topic)?.events;
      if (allowed !== undefined && !allowed.includes(envelope.type))
        throw new Error(`event type ${envelope.type} does not belong on ${topic}`);
    } catch (error) {
      await this.deadLetter(out, topic, partition, message, headers, error, 0, "poison");
      return;
    }
    if (failures >= this.retry.maxAttempts) {
      await this.deadLetter(
        out,
        topic,
        partition,
        message,
        headers,
        new Error("transform kept failing"),
        failures,
        "exhausted",
      );
      return;
    }
    await this.options.transform(envelope as Envelope<EventTypeOn<N>>, out);
    this.metrics.count(CLIENT_METRICS.consumeMessages, 1, {
      service: this.options.service,
      topic,
      group: this.options.service,
    });
  }

  private async deadLetter(
    out: EnvelopeSender<S>,
    topic: string,
    partition: number,
    message: KafkaJS.KafkaMessage,
    headers: Record<string, string>,
    error: unknown,
    attempts: number,
    reason: "poison" | "exhausted",
  ): Promise<void> {
    await out.sendRaw(deadLetterTopicFor(this.options.service), {
      key: message.key,
      value: message.value,
      headers: deadLetterHeaders(headers, {
        topic,
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        attempts,
        service: this.options.service,
      }),
    });
    this.metrics.count(CLIENT_METRICS.deadLetters, 1, {
      service: this.options.service,
      topic,
      reason,
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      if (this.connected) await this.consumer.disconnect();
      this.connected = false;
      await this.producer.disconnect();
    })();
    return this.stopping;
  }
}
