import { deadLetterTopicFor } from "../topics/policy.ts";
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from "./backoff.ts";
import type { ConnectionConfig } from "./config.ts";
import type { ClientLog } from "./connection.ts";
import { deadLetterFor, decodeFor } from "./dead-letter.ts";
import type { Envelope } from "./envelope.ts";
import {
  LibraryConsumer,
  byPartition,
  type ConsumedRecord,
  type PartitionOffset,
} from "./library-consumer.ts";
import {
  CLIENT_METRICS,
  NO_METRICS,
  type MetricAttributes,
  type MetricsSink,
} from "./metric-names.ts";
import { TypedProducer } from "./producer.ts";
import type { EventTypeOn, ReadableTopic, ServiceName } from "./topic-types.ts";

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

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, backoff: DEFAULT_BACKOFF };

export interface ConsumerOptions<S extends ServiceName, N extends ReadableTopic<S>> {
  readonly service: S;
  readonly connection: ConnectionConfig;
  readonly topics: readonly N[];
  readonly handler: (envelope: Envelope<EventTypeOn<N>>, context: MessageContext) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  /** Partitions processed at the same time (each one in order). Default 4. */
  readonly concurrency?: number;
  /** Largest batch read at once; the commit follows each batch. Default 100. */
  readonly maxBatchSize?: number;
  readonly metrics?: MetricsSink;
  readonly log?: ClientLog;
  /** Kafka group protocol: KIP-848 `consumer` (default) or `classic`. */
  readonly groupProtocol?: "consumer" | "classic";
}

export interface PartitionHealth {
  readonly topic: string;
  readonly partition: number;
  /** Records after the last processed one, as of the last fetch; undefined before the first. */
  readonly lag: number | undefined;
}

export interface ConsumerHealth {
  readonly connected: boolean;
  readonly running: boolean;
  readonly assignment: readonly PartitionHealth[];
  readonly totalLag: number;
  readonly lastError: string | undefined;
}

/**
 * The group a consumer reads as: the service's shared group (default), or a broadcast
 * reader's own group, which starts at the latest offset and commits nothing.
 */
export interface ConsumerGroupSettings {
  readonly id: string;
  readonly startAt: "earliest" | "latest";
  readonly commits: boolean;
}

/** Pause before a partition whose dead letter could not be written is read again. */
const HOLD_MS = 1_000;

/**
 * The typed consumer of one service, as consumer group `<service>` on librdkafka: reads a batch,
 * handles each partition's records in order (so per-key order holds) and up to `concurrency`
 * partitions at once, commits what was handled, then reads the next batch. A failing handler is
 * retried with backoff, then its message goes to `dlq.<service>`; an undecodable message goes
 * there at once. `stop()` (also on SIGTERM via `stopOnSignals`) finishes the batch in hand,
 * commits it and leaves the group.
 */
export class TypedConsumer<S extends ServiceName, N extends ReadableTopic<S>> {
  private readonly consumer: LibraryConsumer;
  private deadLetters: TypedProducer<S>;
  private readonly retry: RetryPolicy;
  private readonly metrics: MetricsSink;
  private readonly group: ConsumerGroupSettings;
  private readonly lag = new Map<string, number>();
  private readonly topicAttributes = new Map<string, MetricAttributes>();
  private readonly stopSignal = new AbortController();
  private connected = false;
  private running = false;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: ConsumerOptions<S, N>,
    group?: ConsumerGroupSettings,
  ) {
    this.group = group ?? { id: options.service, startAt: "earliest", commits: true };
    this.consumer = new LibraryConsumer({
      connection: options.connection,
      clientId: `${options.service}-consumer`,
      groupId: this.group.id,
      startAt: this.group.startAt,
      ...(options.groupProtocol ? { groupProtocol: options.groupProtocol } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.deadLetters = this.deadLetterProducer();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** The consumer group: `<service>`, or `<service>.broadcast.<instance>` for a broadcast reader. */
  get groupId(): string {
    return this.group.id;
  }

  get deadLetterTopic(): string {
    return deadLetterTopicFor(this.options.service);
  }

  /** Connects, joins the group and starts processing; resolves once running. */
  async start(): Promise<void> {
    await this.deadLetters.connect();
    await this.consumer.connect(`consumer of ${this.options.service}`, this.options.topics);
    this.connected = true;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    const maxBatch = this.options.maxBatchSize ?? 100;
    while (!signal.aborted) {
      let records: ConsumedRecord[];
      try {
        records = await this.consumer.consume(maxBatch);
      } catch (error) {
        this.fail("warn", `consume failed: ${String(error)}`);
        await sleep(HOLD_MS, signal);
        continue;
      }
      if (records.length === 0) continue;
      const partitions = byPartition(records);
      const done: PartitionOffset[] = [];
      const worker = async (): Promise<void> => {
        for (let list = partitions.shift(); list !== undefined; list = partitions.shift()) {
          const next = await this.processPartition(list);
          if (next !== undefined) done.push(next);
        }
      };
      const workers = Math.min(this.options.concurrency ?? 4, partitions.length);
      await Promise.all(Array.from({ length: workers }, worker));
      if (!this.group.commits) continue;
      try {
        // When stopping, wait for the broker so nothing handled is read again after a restart.
        this.consumer.commit(done, signal.aborted);
      } catch (error) {
        this.fail("warn", `commit failed: ${String(error)}`);
      }
    }
  }

  /** Handles one partition's records in order; returns the offset to commit, if any. */
  private async processPartition(
    records: readonly ConsumedRecord[],
  ): Promise<PartitionOffset | undefined> {
    let done: ConsumedRecord | undefined;
    for (const record of records) {
      if (this.stopSignal.signal.aborted) break;
      try {
        if ((await this.handle(record)) === "interrupted") break; // stopping: leave it uncommitted
      } catch (error) {
        // Its dead letter could not be written: commit what came before, read the partition
        // again from this record after a pause, and hand nothing after it over meanwhile.
        this.fail(
          "error",
          `processing ${record.topic}/${record.partition} stopped at offset ${record.offset}: ${String(error)}`,
        );
        await this.consumer
          .seek(record.topic, record.partition, record.offset)
          .catch((e: unknown) => this.fail("error", `seek failed: ${String(e)}`));
        await sleep(HOLD_MS, this.stopSignal.signal);
        break;
      }
      done = record;
    }
    if (done === undefined) return undefined;
    const { topic, partition } = done;
    const lag = this.consumer.lag(topic, partition);
    if (lag !== undefined) this.lag.set(`${topic}\u0000${partition}`, lag);
    return { topic, partition, offset: Number(done.offset) + 1 };
  }

  private fail(level: "warn" | "error", message: string): void {
    this.lastError = message;
    this.options.log?.(level, message);
  }

  /** Metric attributes per topic, built once rather than per message. */
  private attributesOf(topic: string): MetricAttributes {
    let attributes = this.topicAttributes.get(topic);
    if (attributes === undefined) {
      attributes = { service: this.options.service, topic, group: this.group.id };
      this.topicAttributes.set(topic, attributes);
    }
    return attributes;
  }

  private async handle(record: ConsumedRecord): Promise<"handled" | "interrupted"> {
    const attributes = this.attributesOf(record.topic);
    const started = performance.now();
    const decoded = decodeFor(record);
    if (decoded instanceof Error) {
      await this.deadLetter(record, decoded, 0, "poison");
      return "handled";
    }
    const envelope = decoded as Envelope<EventTypeOn<N>>;
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      try {
        const { topic, partition, offset, headers } = record;
        const key = record.key?.toString("utf8") ?? null;
        await this.options.handler(envelope, { topic, partition, offset, key, attempt, headers });
        this.metrics.count(CLIENT_METRICS.consumeMessages, 1, attributes);
        this.metrics.record(CLIENT_METRICS.consumeLatency, performance.now() - started, attributes);
        this.metrics.record(
          CLIENT_METRICS.endToEndLatency,
          Date.now() - Date.parse(envelope.timestamp),
          attributes,
        );
        return "handled";
      } catch (error) {
        lastError = error;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.metrics.count(CLIENT_METRICS.consumeErrors, 1, {
          ...attributes,
          error: error instanceof Error ? error.name : "unknown",
        });
        if (attempt < this.retry.maxAttempts) {
          this.metrics.count(CLIENT_METRICS.consumeRetries, 1, attributes);
          await sleep(backoffDelay(attempt, this.retry.backoff), this.stopSignal.signal);
          if (this.stopSignal.signal.aborted) return "interrupted";
        }
      }
    }
    await this.deadLetter(record, lastError, this.retry.maxAttempts, "exhausted");
    return "handled";
  }

  private deadLetterProducer(): TypedProducer<S> {
    const { service, connection, log, metrics } = this.options;
    return new TypedProducer({
      service,
      connection,
      ...(log ? { log } : {}),
      ...(metrics ? { metrics } : {}),
    });
  }

  private async deadLetter(
    record: ConsumedRecord,
    error: unknown,
    attempts: number,
    reason: "poison" | "exhausted",
  ): Promise<void> {
    if (this.deadLetters.failed) {
      // librdkafka's producer is done for after a fatal error: the next try gets a new one.
      const failed = this.deadLetters;
      this.deadLetters = this.deadLetterProducer();
      void failed.disconnect().catch(() => undefined);
      await this.deadLetters.connect();
    }
    await this.deadLetters.sendRaw(
      this.deadLetterTopic,
      deadLetterFor(record, error, attempts, this.options.service),
    );
    this.metrics.count(CLIENT_METRICS.deadLetters, 1, {
      service: this.options.service,
      topic: record.topic,
      reason,
    });
  }

  health(): ConsumerHealth {
    const assignment = this.connected ? this.consumer.assignment() : [];
    const partitions = assignment.map(({ topic, partition }) => ({
      topic,
      partition,
      lag: this.lag.get(`${topic}\u0000${partition}`),
    }));
    for (const { topic, partition, lag } of partitions) {
      if (lag === undefined) continue;
      this.metrics.gauge(CLIENT_METRICS.consumerLag, lag, {
        service: this.options.service,
        group: this.group.id,
        topic,
        partition,
      });
    }
    return {
      connected: this.connected,
      running: this.running,
      assignment: partitions,
      totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
      lastError: this.lastError,
    };
  }

  /** Stops taking messages, lets the batch in hand finish and commit, leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      this.running = false;
      try {
        await this.loop;
        if (this.connected) await this.consumer.disconnect();
      } finally {
        this.connected = false;
        await this.deadLetters.disconnect();
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
