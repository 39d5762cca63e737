import { transactionalIdPrefixFor } from "../acl/derive.ts";
import { deadLetterTopicFor } from "../topics/policy.ts";
import { backoffDelay, sleep } from "./backoff.ts";
import type { ConnectionConfig } from "./config.ts";
import type { ClientLog } from "./connection.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./consumer.ts";
import { deadLetterFor, decodeFor } from "./dead-letter.ts";
import type { Envelope } from "./envelope.ts";
import { LibraryConsumer, byPartition, type ConsumedRecord } from "./library-consumer.ts";
import { CLIENT_METRICS, NO_METRICS, type MetricsSink } from "./metric-names.ts";
import { TransactionalProducer, isFatal, type EnvelopeSender } from "./producer.ts";
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

/** The transform itself threw: only this counts against a message. */
class TransformFailure extends Error {}

/**
 * Exactly-once consume-transform-produce. The records of one partition in a batch become one
 * transaction: the outputs, any dead letters and the input offsets (sent with the group
 * metadata, KIP-447) commit atomically. Inputs are read read_committed. When a transform throws,
 * the transaction is aborted and the partition is read again after a backoff; once a message's
 * transform has failed `maxAttempts` times, it is dead-lettered inside the transaction instead.
 * When adding the offsets or committing fails, the transaction is aborted and the batch is
 * tried again, and no message is blamed. A restarted instance with the same transactional id
 * fences its predecessor; a fenced processor stops.
 */
export class ExactlyOnceProcessor<S extends ServiceName, N extends ConsumableTopic<S>> {
  private readonly consumer: LibraryConsumer;
  private readonly producer: TransactionalProducer<S>;
  private readonly retry: RetryPolicy;
  private readonly metrics: MetricsSink;
  /** Failed transforms per message (`topic/partition/offset`). */
  private readonly failures = new Map<string, number>();
  private readonly stopSignal = new AbortController();
  private infrastructureFailures = 0;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ProcessorOptions<S, N>) {
    this.consumer = new LibraryConsumer({
      connection: options.connection,
      clientId: `${options.service}-processor`,
      groupId: options.service,
      ...(options.groupProtocol ? { groupProtocol: options.groupProtocol } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.producer = new TransactionalProducer({
      service: options.service,
      connection: options.connection,
      transactionalId: `${transactionalIdPrefixFor(options.service)}${options.instanceId}`,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** Connects (fencing an older instance with the same id), joins the group and starts. */
  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect(`processor of ${this.options.service}`, this.options.topics);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      let records: ConsumedRecord[];
      try {
        records = await this.consumer.consume(this.options.maxBatchSize ?? 100);
      } catch (error) {
        this.options.log?.("warn", `consume failed: ${String(error)}`);
        await sleep(1_000, signal);
        continue;
      }
      for (const partition of byPartition(records)) {
        if (signal.aborted) break;
        try {
          await this.processPartition(partition);
        } catch (error) {
          this.options.log?.("error", `processor stopped: ${String(error)}`);
          this.stopSignal.abort(); // fenced or otherwise unusable: a newer instance took over
        }
      }
    }
  }

  private async processPartition(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0];
    const last = records.at(-1);
    if (first === undefined || last === undefined) return;
    const { topic, partition } = first;
    const out = this.producer;
    let current: ConsumedRecord | undefined;
    try {
      await this.producer.begin();
      for (current of records) await this.processOne(current, out);
    } catch (error) {
      await this.producer.abort();
      if (!(error instanceof TransformFailure) || current === undefined) {
        return this.retryBatch(first, error);
      }
      const key = `${topic}/${partition}/${current.offset}`;
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      this.metrics.count(CLIENT_METRICS.consumeErrors, 1, { service: this.options.service, topic });
      this.metrics.count(CLIENT_METRICS.consumeRetries, 1, {
        service: this.options.service,
        topic,
      });
      this.options.log?.(
        "warn",
        `transform of ${key} failed (attempt ${attempts}), transaction aborted: ${String(error.cause)}`,
      );
      await this.seek(first);
      await sleep(backoffDelay(Math.min(attempts, 30), this.retry.backoff), this.stopSignal.signal);
      return;
    }
    try {
      const offset = Number(last.offset) + 1;
      await this.producer.sendOffsets([{ topic, partition, offset }], this.consumer.client);
      await this.producer.commit();
    } catch (error) {
      // The cluster's failure, not the messages': abort and try the whole batch again.
      await this.producer.abort();
      return this.retryBatch(first, error);
    }
    this.infrastructureFailures = 0;
    for (const record of records) this.failures.delete(`${topic}/${partition}/${record.offset}`);
  }

  /** Aborted for a reason that is no message's fault: read the batch again after a backoff. */
  private async retryBatch(first: ConsumedRecord, error: unknown): Promise<void> {
    if (isFatal(error)) throw error;
    this.infrastructureFailures++;
    this.options.log?.(
      "warn",
      `transaction for ${first.topic}/${first.partition} aborted (${this.infrastructureFailures} in a row): ${String(error)}`,
    );
    await this.seek(first);
    await sleep(
      backoffDelay(Math.min(this.infrastructureFailures, 30), this.retry.backoff),
      this.stopSignal.signal,
    );
  }

  /** Reads the partition again from `record` (a partition taken away meanwhile needs nothing). */
  private seek(record: ConsumedRecord): Promise<void> {
    return this.consumer
      .seek(record.topic, record.partition, record.offset)
      .catch((error: unknown) => this.options.log?.("warn", `seek failed: ${String(error)}`));
  }

  private async processOne(record: ConsumedRecord, out: EnvelopeSender<S>): Promise<void> {
    const failures = this.failures.get(`${record.topic}/${record.partition}/${record.offset}`) ?? 0;
    const decoded = decodeFor(record);
    if (decoded instanceof Error) return this.deadLetter(out, record, decoded, 0, "poison");
    if (failures >= this.retry.maxAttempts) {
      return this.deadLetter(
        out,
        record,
        new Error("transform kept failing"),
        failures,
        "exhausted",
      );
    }
    try {
      await this.options.transform(decoded as Envelope<EventTypeOn<N>>, out);
    } catch (error) {
      throw new TransformFailure("transform failed", { cause: error });
    }
    this.metrics.count(CLIENT_METRICS.consumeMessages, 1, {
      service: this.options.service,
      topic: record.topic,
      group: this.options.service,
    });
  }

  private async deadLetter(
    out: EnvelopeSender<S>,
    record: ConsumedRecord,
    error: unknown,
    attempts: number,
    reason: "poison" | "exhausted",
  ): Promise<void> {
    await out.sendRaw(
      deadLetterTopicFor(this.options.service),
      deadLetterFor(record, error, attempts, this.options.service),
    );
    this.metrics.count(CLIENT_METRICS.deadLetters, 1, {
      service: this.options.service,
      topic: record.topic,
      reason,
    });
  }

  /** Finishes the transaction in hand, leaves the group and closes. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopSignal.abort();
      await this.loop;
      await this.consumer.disconnect();
      await this.producer.disconnect();
    })();
    return this.stopping;
  }
}
