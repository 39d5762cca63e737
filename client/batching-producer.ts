import {
  AuthenticationError,
  NetworkError,
  Producer,
  ProduceAcks,
  ProtocolError,
  ResponseError,
  TimeoutError,
  UserError,
  murmur2,
  type ClusterMetadata,
  type MessageToProduce,
  type ProduceResult,
  type ProducerOptions,
} from "@platformatic/kafka";
import type { ConnectionConfig } from "./config.ts";
import { sleep } from "./backoff.ts";
import { AuthenticationWatch, type ClientLog } from "./connection.ts";
import { asError } from "./errors.ts";
import { connectPlatformatic, inChain, platformaticLogin } from "./platformatic-connection.ts";

/**
 * The module's plain producer: every partition a broker leads goes into one ProduceRequest, as
 * with Java's producer, on @platformatic/kafka's idempotent producer (acks=all).
 *
 * librdkafka sends one partition per request (its issue #1700). Keyed records spread over 32
 * partitions then cost the brokers two to three times the CPU per record of Java's producer,
 * and where the brokers are short of CPU that caps what a service can send
 * (docs/decisions/0003, amendment of the fourth session).
 *
 * Records wait in one queue. One send is in flight at a time: it takes what has queued (after
 * `lingerMs` when the producer was idle, at once when the previous send was acknowledged), and
 * the library turns it into one request per broker. Under load the sends simply grow. With one
 * send in flight the sequence numbers of a partition never race, and records that must be sent
 * again go back to the front of the queue, so per-key order holds under retries.
 */

/** Where one record ended up: set on success. */
export interface RecordPosition {
  readonly partition: number;
  readonly offset: string;
}

export type RecordCallback = (
  error: Error | undefined,
  position: RecordPosition | undefined,
) => void;

export interface ProducerRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface BatchingProducerSettings {
  readonly connection: ConnectionConfig;
  readonly clientId: string;
  readonly compression: "lz4" | "zstd" | "gzip" | "snappy" | "none";
  readonly lingerMs: number;
  readonly deliveryTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly log?: ClientLog;
}

/** A partition's records in one request stay under the broker's default max.message.bytes. */
const MAX_PARTITION_BYTES = 900 * 1024;
/** The records taken into one send (uncompressed value, key and headers). */
const MAX_SEND_BYTES = 16 * 1024 * 1024;
/**
 * Records waiting to be acknowledged; more fail at once. librdkafka's defaults
 * (queue.buffering.max.messages, queue.buffering.max.kbytes), which the module had before.
 */
export const MAX_QUEUED_RECORDS = 100_000;
export const MAX_QUEUED_BYTES = 1024 * 1024 * 1024;
/** The library's own retries of one send (backoff 100, 200, 400 ms by default). */
const LIBRARY_RETRIES = 3;
/** Record framing counted on top of key, value and headers when sizing a send. */
const RECORD_OVERHEAD_BYTES = 70;

export class ProducerClosedError extends Error {
  constructor() {
    super("the producer was disconnected before the record was acknowledged");
    this.name = "ProducerClosedError";
  }
}

export class ProducerQueueFullError extends Error {
  constructor() {
    super(
      `the producer's queue is full (${MAX_QUEUED_RECORDS} records or ` +
        `${MAX_QUEUED_BYTES / 1_048_576} MiB not yet acknowledged); wait for deliveries ` +
        "(or flush()) before sending more",
    );
    this.name = "ProducerQueueFullError";
  }
}

export class DeliveryTimeoutError extends Error {
  constructor(timeoutMs: number, cause: unknown) {
    super(`the record was not acknowledged within the delivery timeout (${timeoutMs} ms)`, {
      cause,
    });
    this.name = "DeliveryTimeoutError";
  }
}

/** Java's partition for a key: murmur2, made positive, modulo the partition count. */
export function javaPartitionFor(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/** The library settings: SASL_SSL/SCRAM-SHA-512 with the cluster CA, acks=all, idempotent. */
export function batchingProducerOptions(
  settings: BatchingProducerSettings,
): ProducerOptions<Buffer, Buffer, string, string> {
  const { retryBackoffMs, retryBackoffMaxMs } = settings;
  return {
    ...platformaticLogin(settings.connection, settings.clientId),
    acks: ProduceAcks.ALL,
    idempotent: true,
    compression: settings.compression,
    // The library's retries inside one send keep the producer id and the sequence numbers, so
    // the broker drops a copy of a request it wrote but could not answer. (On
    // UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER the library takes a new id and sends
    // the broker's share again: that case can write twice.) They are few: on a retry the
    // library sends a broker's whole share of the send to the new leader of its first
    // partition, so when a stopped broker's partitions move to different leaders the retries
    // cannot succeed. After them the module sends the unwritten records again, grouped by the
    // current leaders (BatchingProducer.settle), until the delivery timeout.
    retries: LIBRARY_RETRIES,
    retryDelay: (_client, _operation, attempt) =>
      Math.min(retryBackoffMs * 2 ** Math.max(0, attempt - 1), retryBackoffMaxMs),
    repeatOnStaleMetadata: true,
    serializers: {
      key: (key) => key,
      value: (value) => value,
      headerKey: (name) => (name === undefined ? undefined : Buffer.from(name)),
      headerValue: (value) => (value === undefined ? undefined : Buffer.from(value)),
    },
  };
}

interface ProduceAnswer {
  responses?: {
    name: string;
    partitionResponses: { index: number; errorCode: number; baseOffset: bigint }[];
  }[];
}

function produceAnswerOf(error: unknown): ProduceAnswer | undefined {
  if (!(error instanceof ResponseError)) return undefined;
  const response = (error as { response?: ProduceAnswer }).response;
  return Array.isArray(response?.responses) &&
    response.responses.every((t) => Array.isArray(t.partitionResponses))
    ? response
    : undefined;
}

/**
 * What a failed send did to each partition, from the brokers' last answers inside the library's
 * nested errors: the base offset where the partition was written, or the broker's error for it.
 * Partitions missing from the map got no answer (their broker could not be reached).
 */
export function partitionOutcomes(error: unknown): Map<string, bigint | ProtocolError> {
  const outcomes = new Map<string, bigint | ProtocolError>();
  inChain(error, (e) => {
    for (const topic of produceAnswerOf(e)?.responses ?? []) {
      for (const p of topic.partitionResponses) {
        const slot = `${topic.name}:${p.index}`;
        // Retries are visited in order; a later attempt's error (a moved leader) does not undo
        // an earlier attempt's write.
        if (p.errorCode === 0) outcomes.set(slot, p.baseOffset);
        else if (typeof outcomes.get(slot) !== "bigint")
          outcomes.set(slot, new ProtocolError(p.errorCode));
      }
    }
    return false;
  });
  const produced = (error as { produced?: ProduceResult } | null)?.produced;
  for (const { topic, partition, offset } of produced?.offsets ?? []) {
    outcomes.set(`${topic}:${partition}`, offset);
  }
  return outcomes;
}

/**
 * True when the error says that sending again cannot help (authorization refused, a record the
 * library cannot serialize...). Per-partition answers are judged separately; timeouts and lost
 * connections are not final (a TimeoutError is final by default in the library, but the broker may
 * just be slow).
 */
export function isFinal(error: unknown): boolean {
  const visit = (e: unknown): boolean => {
    if (e === undefined || e === null) return false;
    if (e instanceof TimeoutError || e instanceof NetworkError) return false;
    if (produceAnswerOf(e) !== undefined) return false; // judged per partition
    if (e instanceof AggregateError) return e.errors.some(visit);
    return (e as { canRetry?: unknown }).canRetry === false;
  };
  return visit(error);
}

/** A flush() waiting for the records that were unacknowledged when it was called. */
interface FlushWaiter {
  remaining: number;
  readonly done: () => void;
}

interface Pending {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly callback: RecordCallback;
  readonly bytes: number;
  readonly deadline: number;
  partition: number;
  /** Set once its callback has run. */
  settled: boolean;
  /** flush() calls waiting for this record among others. */
  waiters: FlushWaiter[] | undefined;
}

export class BatchingProducer {
  /** Refused logins fail `connect()` directly; the watch records them for the shared connect. */
  readonly auth = new AuthenticationWatch();
  private readonly client: Producer<Buffer, Buffer, string, string>;
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Records given to produce() whose callback has not run yet (queued or in flight). */
  private unacked = 0;
  private unackedBytes = 0;
  /** The records of the send in flight, and the send itself. */
  private inFlight: Pending[] | undefined;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly closing = new AbortController();
  private roundRobin = 0;
  /** Sends that failed in a row: the pause before the next one doubles with each. */
  private failures = 0;

  constructor(private readonly settings: BatchingProducerSettings) {
    this.client = new Producer(batchingProducerOptions(settings));
  }

  /**
   * Logs in to a bootstrap broker and fetches the cluster's metadata, trying again for up to
   * 20 s while no broker can be reached. A refused login fails at once (the library would retry
   * it like a lost connection).
   */
  connect(): Promise<void> {
    return connectPlatformatic(
      this.client,
      this.auth,
      () => this.pause(),
      this.settings.retryBackoffMs,
    );
  }

  /**
   * Queues one record; `callback` runs once all in-sync replicas have it, or with the error
   * once it is final or the delivery timeout has passed. Never throws.
   */
  produce(topic: string, record: ProducerRecord, callback: RecordCallback): void {
    const key = typeof record.key === "string" ? Buffer.from(record.key) : record.key;
    let bytes = (key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
    for (const name in record.headers) bytes += name.length + (record.headers[name]?.length ?? 0);
    const refused = this.closed
      ? new ProducerClosedError()
      : this.unacked >= MAX_QUEUED_RECORDS || this.unackedBytes + bytes > MAX_QUEUED_BYTES
        ? new ProducerQueueFullError()
        : undefined;
    if (refused !== undefined) {
      queueMicrotask(() => this.call(callback, refused, undefined));
      return;
    }
    this.unacked++;
    this.unackedBytes += bytes;
    this.queue.push({
      topic,
      key,
      value: record.value,
      headers: record.headers,
      callback,
      bytes,
      deadline: Date.now() + this.settings.deliveryTimeoutMs,
      partition: -1,
      settled: false,
      waiters: undefined,
    });
    this.queuedBytes += bytes;
    this.schedule();
  }

  /**
   * Sends what is queued now and resolves once every record given to produce() before this
   * call is acknowledged or failed (records sent later do not hold it up).
   */
  flush(timeoutMs: number): Promise<void> {
    const waiting = this.unsettled();
    if (waiting.length === 0) return Promise.resolve();
    this.sendSoon();
    return new Promise((resolve, reject) => {
      const waiter: FlushWaiter = {
        remaining: waiting.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiter.remaining = Number.POSITIVE_INFINITY; // never resolves now
        reject(new Error(`flush did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      for (const record of waiting) (record.waiters ??= []).push(waiter);
    });
  }

  /**
   * Flushes (up to 5 s), then fails what is still queued with ProducerClosedError, closes the
   * connections and waits for the send in flight to settle (its unwritten records fail with
   * ProducerClosedError too). Every callback has run when it resolves.
   */
  async disconnect(): Promise<void> {
    if (!this.closed) {
      await this.flush(5_000).catch(() => undefined);
      this.closed = true;
      this.closing.abort();
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.failWhere(
        () => true,
        () => new ProducerClosedError(),
      );
    }
    await this.client.close(true).catch(() => undefined);
    await this.sending;
  }

  /** Records whose callback has not run: the send in flight, then the queue. */
  private unsettled(): Pending[] {
    const records = (this.inFlight ?? []).filter((r) => !r.settled);
    for (let i = this.head; i < this.queue.length; i++) records.push(this.queue[i]!);
    return records;
  }

  /** Runs a record's callback once, keeps the counts and wakes flush() calls waiting for it. */
  private finish(record: Pending, error: Error | undefined, position?: RecordPosition): void {
    if (record.settled) return;
    record.settled = true;
    this.unacked--;
    this.unackedBytes -= record.bytes;
    for (const waiter of record.waiters ?? []) if (--waiter.remaining === 0) waiter.done();
    this.call(record.callback, error, position);
  }

  /** A service's callback that throws must not break the producer's bookkeeping. */
  private call(
    callback: RecordCallback,
    error: Error | undefined,
    position?: RecordPosition,
  ): void {
    try {
      callback(error, position);
    } catch (thrown) {
      this.settings.log?.("error", `a delivery callback threw: ${asError(thrown).message}`);
    }
  }

  private schedule(): void {
    if (this.inFlight !== undefined) return;
    if (this.queuedBytes >= MAX_SEND_BYTES) this.sendSoon();
    else this.timer ??= setTimeout(() => this.sendNext(), this.settings.lingerMs);
  }

  private sendSoon(): void {
    if (this.inFlight !== undefined || this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.sendNext(), 0);
  }

  private sendNext(): void {
    this.timer = undefined;
    if (this.inFlight !== undefined || this.closed || this.head >= this.queue.length) return;
    this.inFlight = [];
    this.sending = this.sendBatch()
      .catch((error: unknown) => {
        // Not expected: sendBatch settles its records itself. Fail them rather than lose them.
        for (const record of this.inFlight ?? []) this.finish(record, asError(error));
      })
      .finally(() => {
        this.inFlight = undefined;
        if (this.head < this.queue.length) this.sendSoon();
      });
  }

  private async sendBatch(): Promise<void> {
    const counts = await this.partitionCounts();
    if (counts === undefined) return;
    const batch = this.take(counts, Date.now());
    this.inFlight = batch;
    if (batch.length === 0) {
      // What is queued waits for its topic's metadata: try again after a pause.
      if (this.head < this.queue.length) await this.pause();
      return;
    }
    const messages: MessageToProduce<Buffer, Buffer, string, string>[] = batch.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      ...(r.key !== null ? { key: r.key } : {}),
      ...(r.value !== null ? { value: r.value } : {}),
      headers: r.headers,
    }));
    let outcomes: Map<string, bigint | ProtocolError>;
    let error: unknown;
    let refused = new Map<string, unknown>();
    try {
      const result = await this.client.send({ messages });
      outcomes = new Map(
        (result.offsets ?? []).map((o) => [`${o.topic}:${o.partition}`, o.offset] as const),
      );
    } catch (failure) {
      error = failure;
      outcomes = partitionOutcomes(failure);
      // The library looks up every topic of a send again when its metadata is older than 5 s;
      // a topic refused then fails the whole send. Find it, so only its records fail.
      const topics = new Set(batch.map((r) => r.topic));
      if (isFinal(failure) && topics.size > 1 && !this.closed)
        refused = await this.refusedTopics(topics);
    }
    this.failures = error === undefined ? 0 : this.failures + 1;
    if (this.settle(batch, outcomes, error, refused) > 0) await this.pause();
  }

  /** The topics the cluster refuses to describe now, with its answer (fresh metadata). */
  private async refusedTopics(topics: Set<string>): Promise<Map<string, unknown>> {
    const refused = new Map<string, unknown>();
    for (const topic of topics) {
      try {
        await this.client.metadata({ topics: [topic], forceUpdate: true, retries: 0 });
      } catch (error) {
        if (isRefusal(error)) refused.set(topic, error);
      }
    }
    return refused;
  }

  /**
   * Partition counts of the queued topics, from the library's metadata (fetched when missing).
   * Records of a topic the cluster refuses to describe (unknown, not authorized) fail with the
   * broker's answer; when no broker answers, or the answer may change (a partition without a
   * leader), the records wait, up to their delivery timeout. Returns undefined when nothing
   * can be sent now.
   */
  private async partitionCounts(): Promise<Map<string, number> | undefined> {
    const topics = new Set<string>();
    for (let i = this.head; i < this.queue.length; i++) topics.add(this.queue[i]!.topic);
    const counts = new Map<string, number>();
    const collect = (metadata: ClusterMetadata | undefined): void => {
      for (const topic of topics) {
        const count = metadata?.topics.get(topic)?.partitionsCount;
        if (count !== undefined) counts.set(topic, count);
      }
    };
    collect(this.client.currentMetadata);
    const missing = [...topics].filter((t) => !counts.has(t));
    if (missing.length === 0) return counts;
    try {
      collect(await this.client.metadata({ topics: missing, retries: 0 }));
      return counts;
    } catch (error) {
      if (!isRefusal(error)) {
        this.failWhere(
          (r) => r.deadline <= Date.now(),
          () => this.timedOut(error),
        );
        this.failures++;
        await this.pause();
        return undefined;
      }
    }
    // A topic refused: find which, fail its records, send the others.
    for (const topic of missing) {
      try {
        collect(await this.client.metadata({ topics: [topic], retries: 0 }));
      } catch (error) {
        if (!isRefusal(error)) continue; // its records wait (take() stops at them)
        this.failWhere(
          (r) => r.topic === topic,
          () => new Error(`cannot send to ${topic}: ${reasonOf(error)}`, { cause: error }),
        );
      }
    }
    return counts;
  }

  /**
   * Takes queued records for one send, in queue order, stopping before a record that would
   * overfill its partition's batch or the send, and passing over (keeping) the records of a
   * topic whose metadata is not known yet. Records past their delivery timeout fail here.
   */
  private take(counts: Map<string, number>, now: number): Pending[] {
    const batch: Pending[] = [];
    // Records of a topic whose metadata is not known yet stay queued, in order, ahead of the
    // rest; the other topics go on.
    const deferred: Pending[] = [];
    const partitionBytes = new Map<string, number>();
    let bytes = 0;
    while (this.head < this.queue.length) {
      const record = this.queue[this.head]!;
      if (record.deadline <= now) {
        this.dequeue();
        this.finish(record, this.timedOut(undefined));
        continue;
      }
      const count = counts.get(record.topic);
      if (count === undefined) {
        deferred.push(record);
        this.head++;
        continue;
      }
      if (record.partition < 0 || record.partition >= count) {
        record.partition =
          record.key !== null ? javaPartitionFor(record.key, count) : this.roundRobin++ % count;
      }
      const slot = `${record.topic}:${record.partition}`;
      const inPartition = partitionBytes.get(slot) ?? 0;
      if (
        batch.length > 0 &&
        (inPartition + record.bytes > MAX_PARTITION_BYTES || bytes + record.bytes > MAX_SEND_BYTES)
      )
        break;
      partitionBytes.set(slot, inPartition + record.bytes);
      bytes += record.bytes;
      batch.push(record);
      this.dequeue();
    }
    if (deferred.length > 0) {
      this.queue = [...deferred, ...this.queue.slice(this.head)];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private dequeue(): void {
    this.queuedBytes -= this.queue[this.head]!.bytes;
    this.head++;
  }

  /**
   * Acknowledges the records of written partitions, each at its partition's base offset plus
   * its place in the batch. Records of the other partitions fail when the broker's answer for
   * their partition, their topic, or the whole error is final, or their time is up; otherwise
   * they go back to the front of the queue in order. Returns how many went back.
   */
  private settle(
    batch: Pending[],
    outcomes: Map<string, bigint | ProtocolError>,
    error: unknown,
    refused: Map<string, unknown>,
  ): number {
    const next = new Map<string, bigint>();
    const again: Pending[] = [];
    // Final for all unless the refusal was pinned on some topics (the others are sent again).
    const finalError = error !== undefined && isFinal(error) && refused.size === 0;
    const now = Date.now();
    const settled: [Pending, Error | undefined, RecordPosition | undefined][] = [];
    for (const record of batch) {
      const slot = `${record.topic}:${record.partition}`;
      const outcome = outcomes.get(slot);
      const topicRefusal = refused.get(record.topic);
      if (typeof outcome === "bigint") {
        const offset = next.get(slot) ?? outcome;
        next.set(slot, offset + 1n);
        settled.push([record, undefined, { partition: record.partition, offset: String(offset) }]);
      } else if (this.closed) {
        settled.push([record, new ProducerClosedError(), undefined]);
      } else if (outcome !== undefined && !outcome.canRetry) {
        settled.push([
          record,
          new Error(`${slot}: ${reasonOf(outcome)}`, { cause: outcome }),
          undefined,
        ]);
      } else if (topicRefusal !== undefined) {
        const reason = `cannot send to ${record.topic}: ${reasonOf(topicRefusal)}`;
        settled.push([record, new Error(reason, { cause: topicRefusal }), undefined]);
      } else if (error === undefined) {
        settled.push([
          record,
          new Error(`${slot}: the brokers' answer did not include it`),
          undefined,
        ]);
      } else if (finalError) {
        settled.push([record, asError(error), undefined]);
      } else if (record.deadline <= now) {
        settled.push([record, this.timedOut(error), undefined]);
      } else {
        again.push(record);
      }
    }
    if (again.length > 0) {
      this.settings.log?.(
        "warn",
        `sending ${again.length} records again after: ${reasonOf(error)}`,
      );
      this.queue = [...again, ...this.queue.slice(this.head)];
      this.head = 0;
      for (const record of again) this.queuedBytes += record.bytes;
    }
    // After the queue is consistent: a callback may send again.
    for (const [record, failure, position] of settled) this.finish(record, failure, position);
    return again.length;
  }

  private timedOut(cause: unknown): Error {
    return new DeliveryTimeoutError(this.settings.deliveryTimeoutMs, cause);
  }

  /** Fails the queued records `which` selects with `why`, keeping the others in order. */
  private failWhere(which: (r: Pending) => boolean, why: (r: Pending) => Error): void {
    const kept: Pending[] = [];
    const failed: Pending[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const record = this.queue[i]!;
      (which(record) ? failed : kept).push(record);
    }
    this.queue = kept;
    this.head = 0;
    this.queuedBytes = kept.reduce((sum, r) => sum + r.bytes, 0);
    // After the queue is rebuilt: a callback may send again.
    for (const record of failed) this.finish(record, why(record));
  }

  /**
   * Waits retryBackoffMs, doubled for each send that failed in a row, up to retryBackoffMaxMs;
   * disconnect() cuts it short.
   */
  private pause(): Promise<void> {
    const { retryBackoffMs, retryBackoffMaxMs } = this.settings;
    const ms = Math.min(retryBackoffMs * 2 ** Math.max(0, this.failures - 1), retryBackoffMaxMs);
    return sleep(ms, this.closing.signal);
  }
}

/**
 * True when a broker answered and refused (the library reports a topic the cluster does not
 * have as a UserError), as opposed to no broker answering.
 */
function isRefusal(error: unknown): boolean {
  return inChain(
    error,
    (e) => e instanceof UserError || (e instanceof ProtocolError && e.canRetry === false),
  );
}

/** The brokers' own reasons inside a library error ("Topic authorization failed. (TOPIC_...)"). */
export function reasonOf(error: unknown): string {
  const reasons: string[] = [];
  inChain(error, (e) => {
    if (e instanceof ProtocolError) {
      const id = (e as { apiId?: unknown }).apiId;
      reasons.push(`${e.message}${typeof id === "string" ? ` (${id})` : ""}`);
    } else if (e instanceof UserError || e instanceof AuthenticationError) reasons.push(e.message);
    return false;
  });
  return reasons.length > 0 ? [...new Set(reasons)].join("; ") : asError(error).message;
}
