import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { deadLetterTopicFor } from "../topics/policy.ts";
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from "./backoff.ts";
import type { ConnectionConfig } from "./config.ts";
import {
  type AuthenticationWatch,
  connectClearly,
  createKafka,
  type ClientLog,
} from "./connection.ts";
import { deadLetterHeaders } from "./dead-letter.ts";
import { decodeEnvelope, type Envelope } from "./envelope.ts";
import { catalogEntryFor } from "./keys.ts";
import {
  CLIENT_METRICS,
  NO_METRICS,
  type MetricAttributes,
  type MetricsSink,
} from "./metric-names.ts";
import {
  StreamConsumer,
  partitionKey,
  type ConsumedRecord,
  type PartitionOffset,
} from "./stream-consumer.ts";
import { TypedProducer, errorName, type RawMessage } from "./producer.ts";
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
  /** Largest batch handed over per partition; the commit follows each batch. Default 100. */
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
  /** Records read from Kafka and not yet handed to the handler (held ones included). */
  readonly readAhead: number;
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

/** Why a message went to the dead-letter topic. */
export type DeadLetterReason = "poison" | "exhausted";

/** The library consumer with the platform's settings: manual commits, earliest start. */
export function createLibraryConsumer(
  connection: ConnectionConfig,
  service: ServiceName,
  options: {
    groupProtocol?: "consumer" | "classic";
    maxBatchSize?: number;
    readCommitted?: boolean;
    log?: ClientLog;
  },
): { consumer: KafkaJS.Consumer; auth: AuthenticationWatch } {
  const { kafka, auth } = createKafka(connection, `${service}-consumer`, options.log);
  const consumer = kafka.consumer({
    kafkaJS: { groupId: service, fromBeginning: true, autoCommit: false },
    "group.protocol": options.groupProtocol ?? "consumer",
    "js.consumer.max.batch.size": options.maxBatchSize ?? 100,
    "fetch.wait.max.ms": 50,
    ...(options.readCommitted === true ? { "isolation.level": "read_committed" as const } : {}),
  });
  return { consumer, auth };
}

/**
 * The typed consumer of one service, as consumer group `<service>`: processes each partition
 * in order (so per-key order holds) and several partitions at once; commits after success;
 * retries a failing message with exponential backoff and jitter, then dead-letters it to
 * `dlq.<service>` with the headers of topics/policy.ts; dead-letters an undecodable message at
 * once. `stop()` (also on SIGTERM via `stopOnSignals`) finishes the message in hand, commits
 * and leaves the group. Reads through @platformatic/kafka's consumer (client/stream-consumer.ts):
 * each batch is processed and committed before the next is handed over.
 */
export class TypedConsumer<S extends ServiceName, N extends ReadableTopic<S>> {
  private readonly consumer: StreamConsumer;
  private readonly deadLetters: TypedProducer<S>;
  private readonly retry: RetryPolicy;
  private readonly metrics: MetricsSink;
  private readonly lag = new Map<string, number>();
  private readonly topicAttributes = new Map<string, MetricAttributes>();
  private readonly stopSignal = new AbortController();
  private connected = false;
  private running = false;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  private readonly group: ConsumerGroupSettings;

  constructor(
    private readonly options: ConsumerOptions<S, N>,
    group?: ConsumerGroupSettings,
  ) {
    this.group = group ?? { id: options.service, startAt: "earliest", commits: true };
    this.consumer = new StreamConsumer({
      connection: options.connection,
      clientId: `${options.service}-consumer`,
      groupId: this.group.id,
      startAt: this.group.startAt,
      commits: this.group.commits,
      groupProtocol: options.groupProtocol ?? "consumer",
      ...(options.log ? { log: options.log } : {}),
    });
    this.deadLetters = new TypedProducer({
      service: options.service,
      connection: options.connection,
      ...(options.log ? { log: options.log } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
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
    await connectClearly(
      this.consumer,
      this.consumer.auth,
      this.options.connection,
      `consumer of ${this.options.service}`,
    );
    this.connected = true;
    await this.consumer.subscribe(this.options.topics);
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
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.log?.("warn", `consume failed: ${this.lastError}`);
        await sleep(1_000, signal);
        continue;
      }
      if (records.length === 0 || signal.aborted) continue;
      const done = await this.processBatch(records);
      // Commit what was handled, also when a dead letter could not be written; when stopping,
      // wait for the broker so nothing handled is read again after the restart.
      if (!this.group.commits) continue;
      try {
        if (signal.aborted) await this.consumer.commitNow(done);
        else this.consumer.commit(done);
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.log?.("warn", `commit failed: ${this.lastError}`);
      }
    }
  }

  /** Processes a batch partition by partition (each in order, `concurrency` at once). */
  private async processBatch(records: readonly ConsumedRecord[]): Promise<PartitionOffset[]> {
    const partitions = new Map<string, ConsumedRecord[]>();
    for (const record of records) {
      const id = partitionKey(record.topic, record.partition);
      const list = partitions.get(id);
      if (list === undefined) partitions.set(id, [record]);
      else list.push(record);
    }
    const queue = [...partitions.values()];
    const done: PartitionOffset[] = [];
    const worker = async (): Promise<void> => {
      for (let list = queue.shift(); list !== undefined; list = queue.shift()) {
        const next = await this.processPartition(list);
        if (next !== undefined) done.push(next);
      }
    };
    const workers = Math.min(this.options.concurrency ?? 4, queue.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return done;
  }

  /** The offset to commit for one partition's records, or undefined when none was handled. */
  private async processPartition(
    records: readonly ConsumedRecord[],
  ): Promise<PartitionOffset | undefined> {
    const first = records[0];
    if (first === undefined) return undefined;
    const { topic, partition } = first;
    let done: ConsumedRecord | undefined;
    let index = 0;
    try {
      for (; index < records.length; index++) {
        // Stopping, or the group gave the partition to another member: leave the rest.
        if (this.stopSignal.signal.aborted || !this.consumer.owns(topic, partition)) break;
        const record = records[index] as ConsumedRecord;
        const outcome = await this.handle(record);
        if (outcome === "interrupted") break; // stopping mid-retries: leave it uncommitted
        done = record;
      }
    } catch (error) {
      // A dead letter that could not be written: commit what was handled before it, and hand
      // the partition's records from the failed one over again in the next batch, after a pause.
      this.lastError = error instanceof Error ? error.message : String(error);
      this.options.log?.("error", `processing ${topic}/${partition} stopped: ${this.lastError}`);
      this.consumer.hold(records.slice(index));
      await sleep(1_000, this.stopSignal.signal);
    }
    if (done === undefined) return undefined;
    const lag = this.consumer.lagAfter(topic, partition, BigInt(done.offset) + 1n);
    if (lag !== undefined) this.lag.set(partitionKey(topic, partition), lag);
    return {
      topic,
      partition,
      offset: (BigInt(done.offset) + 1n).toString(),
      leaderEpoch: done.leaderEpoch,
    };
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

  private async handle(message: ConsumedRecord): Promise<"handled" | "interrupted"> {
    const { topic, partition, headers } = message;
    const attributes = this.attributesOf(topic);
    const started = performance.now();
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(message.value, headers);
      const allowed = catalogEntryFor(topic)?.events;
      if (allowed !== undefined && !allowed.includes(envelope.type)) {
        throw new Error(`event type ${envelope.type} does not belong on ${topic}`);
      }
    } catch (error) {
      await this.deadLetter(message, error, 0, "poison");
      return "handled";
    }
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      try {
        const context: MessageContext = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString("utf8") ?? null,
          attempt,
          headers,
        };
        await this.options.handler(envelope as Envelope<EventTypeOn<N>>, context);
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
          error: errorName(error),
        });
        if (attempt < this.retry.maxAttempts) {
          this.metrics.count(CLIENT_METRICS.consumeRetries, 1, attributes);
          await sleep(backoffDelay(attempt, this.retry.backoff), this.stopSignal.signal);
          if (this.stopSignal.signal.aborted) return "interrupted";
        }
      }
    }
    await this.deadLetter(message, lastError, this.retry.maxAttempts, "exhausted");
    return "handled";
  }

  private async deadLetter(
    message: ConsumedRecord,
    error: unknown,
    attempts: number,
    reason: DeadLetterReason,
  ): Promise<void> {
    const { topic, partition } = message;
    const raw: RawMessage = {
      key: message.key,
      value: message.value,
      headers: deadLetterHeaders(message.headers, {
        topic,
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        attempts,
        service: this.options.service,
      }),
    };
    await this.deadLetters.sendRaw(this.deadLetterTopic, raw);
    this.metrics.count(CLIENT_METRICS.deadLetters, 1, {
      service: this.options.service,
      topic,
      reason,
    });
  }

  health(): ConsumerHealth {
    const assignment = this.connected ? this.consumer.assignment() : [];
    const partitions = assignment.map(({ topic, partition }) => ({
      topic,
      partition,
      lag: this.lag.get(partitionKey(topic, partition)),
    }));
    for (const p of partitions) {
      if (p.lag !== undefined)
        this.metrics.gauge(CLIENT_METRICS.consumerLag, p.lag, {
          service: this.options.service,
          group: this.group.id,
          topic: p.topic,
          partition: p.partition,
        });
    }
    return {
      connected: this.connected,
      running: this.running,
      assignment: partitions,
      totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
      readAhead: this.consumer.readAhead,
      lastError: this.lastError,
    };
  }

  /** Stops taking messages, lets the one in hand finish and commit, leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      this.consumer.interrupt();
      this.running = false;
      try {
        await this.loop; // the message in hand finishes and its batch is committed
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
