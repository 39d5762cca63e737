import { transactionalIdPrefixFor } from "../acl/derive.ts";
import { GroupReader, decodeRecord, type ConsumedRecord, type ReaderOptions } from "./consumer.ts";
import type { Envelope } from "./envelope.ts";
import { backoffDelay, sleep } from "./library.ts";
import { CLIENT_METRICS } from "./metric-names.ts";
import { TransactionalProducer, isFatal, type EnvelopeSender } from "./producer.ts";
import type { ConsumableTopic, EventTypeOn, ServiceName } from "./topic-types.ts";

export interface ProcessorOptions<
  S extends ServiceName,
  N extends ConsumableTopic<S>,
> extends ReaderOptions<S, N> {
  /** Stable per instance (e.g. the pod ordinal): the transactional id is `<service>.tx.<instanceId>`. */
  readonly instanceId: string;
  /** Sends its outputs through `out`; they commit together with the input offsets. */
  readonly transform: (envelope: Envelope<EventTypeOn<N>>, out: EnvelopeSender<S>) => Promise<void>;
}

/** The transform itself threw: only this counts against a message. */
class TransformFailure extends Error {}

/**
 * Exactly-once consume-transform-produce (docs/client.md, "Exactly once"; decision 0005 on the
 * failure accounting): one transaction per partition batch with its outputs, dead letters and
 * input offsets.
 */
export class ExactlyOnceProcessor<
  S extends ServiceName,
  N extends ConsumableTopic<S>,
> extends GroupReader<S, N> {
  /** Failed transforms per message (`topic/partition/offset`). */
  private readonly failures = new Map<string, number>();
  private infrastructureFailures = 0;
  private readonly transactional: TransactionalProducer<S>;

  constructor(private readonly processorOptions: ProcessorOptions<S, N>) {
    const { service, connection, log, metrics, codec, instanceId } = processorOptions;
    const transactionalId = `${transactionalIdPrefixFor(service)}${instanceId}`;
    const producer = new TransactionalProducer({
      ...{ service, connection, log, metrics, codec, transactionalId },
    });
    super(processorOptions, producer, service, "processor");
    this.transactional = producer;
  }

  protected async process(partitions: ConsumedRecord[][]): Promise<void> {
    for (const records of partitions) {
      if (this.stopSignal.signal.aborted) break;
      try {
        await this.processPartition(records);
      } catch (error) {
        this.fail("error", `processor stopped: ${String(error)}`);
        this.stopSignal.abort(); // fenced or otherwise unusable: a newer instance took over
      }
    }
  }

  private async processPartition(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0];
    const last = records.at(-1);
    if (first === undefined || last === undefined) return;
    const { topic, partition } = first;
    const producer = this.transactional;
    let current: ConsumedRecord | undefined;
    try {
      await producer.begin();
      for (current of records) await this.processOne(current);
    } catch (error) {
      await producer.abort();
      if (!(error instanceof TransformFailure) || current === undefined) {
        return this.retryBatch(first, error);
      }
      const key = `${topic}/${partition}/${current.offset}`;
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      const { metrics, service } = this.processorOptions;
      metrics?.count(CLIENT_METRICS.consumeErrors, 1, { service, topic });
      metrics?.count(CLIENT_METRICS.consumeRetries, 1, { service, topic });
      const cause = String(error.cause);
      this.fail("warn", `transform of ${key} failed (attempt ${attempts}), aborted: ${cause}`);
      await this.seek(topic, partition, Number(first.offset));
      await sleep(backoffDelay(Math.min(attempts, 30), this.retry.backoff), this.stopSignal.signal);
      return;
    }
    try {
      const offset = Number(last.offset) + 1;
      await producer.sendOffsets([{ topic, partition, offset }], this.client);
      await producer.commit();
    } catch (error) {
      // The cluster's failure, not the messages': abort and try the whole batch again.
      await producer.abort();
      return this.retryBatch(first, error);
    }
    this.infrastructureFailures = 0;
    for (const record of records) this.failures.delete(`${topic}/${partition}/${record.offset}`);
  }

  /** Aborted for a reason that is no message's fault: read the batch again after a backoff. */
  private async retryBatch(first: ConsumedRecord, error: unknown): Promise<void> {
    if (isFatal(error)) throw error;
    const { topic, partition, offset } = first;
    const failures = ++this.infrastructureFailures;
    this.fail(
      "warn",
      `transaction for ${topic}/${partition} aborted (${failures} in a row): ${String(error)}`,
    );
    await this.seek(topic, partition, Number(offset));
    await sleep(backoffDelay(Math.min(failures, 30), this.retry.backoff), this.stopSignal.signal);
  }

  private async processOne(record: ConsumedRecord): Promise<void> {
    const failures = this.failures.get(`${record.topic}/${record.partition}/${record.offset}`) ?? 0;
    const decoded = await decodeRecord(record, this.codec);
    if (decoded instanceof Error) return this.deadLetter(record, decoded, 0, "poison");
    if (failures >= this.retry.maxAttempts) {
      const error = new Error("transform kept failing");
      return this.deadLetter(record, error, failures, "exhausted");
    }
    try {
      await this.processorOptions.transform(
        decoded as Envelope<EventTypeOn<N>>,
        this.transactional,
      );
    } catch (error) {
      throw new TransformFailure("transform failed", { cause: error });
    }
    const { metrics, service } = this.processorOptions;
    metrics?.count(CLIENT_METRICS.consumeMessages, 1, {
      service,
      topic: record.topic,
      group: service,
    });
  }
}
