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
import { AuthenticationWatch, type ClientLog } from "./connection.ts";

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
/** Java's request.timeout.ms default: how long one request may wait for its answer. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long `connect()` keeps trying to reach a bootstrap broker, as librdkafka's connect. */
const CONNECT_TIMEOUT_MS = 20_000;
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
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.connection.bootstrapServers],
    tls: { ca: settings.connection.caPem },
    sasl: {
      mechanism: "SCRAM-SHA-512",
      username: settings.connection.username,
      password: settings.connection.password,
    },
    connectTimeout: CONNECT_TIMEOUT_MS,
    timeout: REQUEST_TIMEOUT_MS,
    acks: ProduceAcks.ALL,
    idempotent: true,
    compression: settings.compression,
    // Retries inside one send keep the producer id and the sequence numbers, so a request the
    // broker wrote but could not answer is not written twice. They are few: on a retry the
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

/** True when `test` holds for the error or any error it wraps (causes and aggregated errors). */
export function inChain(error: unknown, test: (e: unknown) => boolean): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (e === undefined || e === null || seen.has(e)) return false;
    seen.add(e);
    if (test(e)) return true;
    if (e instanceof AggregateError && e.errors.some(visit)) return true;
    return visit((e as { cause?: unknown }).cause);
  };
  return visit(error);
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
        outcomes.set(
          `${topic.name}:${p.index}`,
          p.errorCode === 0 ? p.baseOffset : new ProtocolError(p.errorCode),
        );
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
 * connections are not final (the library marks a timeout so, but the broker may just be slow).
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

interface Pending {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly callback: RecordCallback;
  readonly bytes: number;
  readonly deadline: number;
  partition: number;
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
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private flushWaiters: (() => void)[] = [];
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
  async connect(): Promise<void> {
    const giveUpAt = Date.now() + CONNECT_TIMEOUT_MS;
    for (;;) {
      try {
        await this.client.metadata({ topics: [], retries: 0 });
        return;
      } catch (error) {
        if (inChain(error, (e) => e instanceof AuthenticationError)) {
          this.auth.report(`SASL authentication failed: ${asError(error).message}`);
          throw error;
        }
        if (Date.now() + this.settings.retryBackoffMs >= giveUpAt) throw error;
        await this.pause();
      }
    }
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
      queueMicrotask(() => callback(refused, undefined));
      return;
    }
    this.unacked++;
    this.unackedBytes += bytes;
    this.queue.push({
      topic,
      key,
      value: record.value,
      headers: record.headers,
      callback: (error, position) => {
        this.unacked--;
        this.unackedBytes -= bytes;
        callback(error, position);
      },
      bytes,
      deadline: Date.now() + this.settings.deliveryTimeoutMs,
      partition: -1,
    });
    this.queuedBytes += bytes;
    this.schedule();
  }

  /** Sends what is queued now and resolves once every record so far is settled. */
  flush(timeoutMs: number): Promise<void> {
    if (this.idle()) return Promise.resolve();
    this.sendSoon();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.flushWaiters = this.flushWaiters.filter((w) => w !== done);
        reject(new Error(`flush did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      this.flushWaiters.push(done);
    });
  }

  /** Flushes (up to 5 s), fails what is left with ProducerClosedError, closes the connections. */
  async disconnect(): Promise<void> {
    if (!this.closed) {
      await this.flush(5_000).catch(() => undefined);
      this.closed = true;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      const left = this.queue.slice(this.head);
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
      for (const record of left) record.callback(new ProducerClosedError(), undefined);
    }
    await this.client.close(true).catch(() => undefined);
  }

  private idle(): boolean {
    return !this.inFlight && this.head >= this.queue.length;
  }

  private schedule(): void {
    if (this.inFlight) return;
    if (this.queuedBytes >= MAX_SEND_BYTES) this.sendSoon();
    else this.timer ??= setTimeout(() => this.sendNext(), this.settings.lingerMs);
  }

  private sendSoon(): void {
    if (this.inFlight) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.sendNext(), 0);
  }

  private sendNext(): void {
    this.timer = undefined;
    if (this.inFlight || this.closed) return;
    if (this.head >= this.queue.length) {
      this.notifyFlushed();
      return;
    }
    this.inFlight = true;
    void this.sendBatch().finally(() => {
      this.inFlight = false;
      if (this.head < this.queue.length) this.sendSoon();
      else this.notifyFlushed();
    });
  }

  private notifyFlushed(): void {
    if (!this.idle()) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async sendBatch(): Promise<void> {
    const counts = await this.partitionCounts();
    if (counts === undefined) return;
    const batch = this.take(counts, Date.now());
    if (batch.length === 0) return;
    const messages: MessageToProduce<Buffer, Buffer, string, string>[] = batch.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      ...(r.key !== null ? { key: r.key } : {}),
      ...(r.value !== null ? { value: r.value } : {}),
      headers: r.headers,
    }));
    let outcomes: Map<string, bigint | ProtocolError>;
    let error: unknown;
    try {
      const result = await this.client.send({ messages });
      outcomes = new Map(
        (result.offsets ?? []).map((o) => [`${o.topic}:${o.partition}`, o.offset] as const),
      );
    } catch (failure) {
      error = failure;
      outcomes = partitionOutcomes(failure);
    }
    this.failures = error === undefined ? 0 : this.failures + 1;
    if (this.settle(batch, outcomes, error) > 0) await this.pause();
  }

  /**
   * Partition counts of the queued topics, from the library's metadata (fetched when missing).
   * Records of a topic the cluster refuses to describe (unknown, not authorized) fail with the
   * broker's answer; when no broker answers, the records wait (up to their delivery timeout).
   * Returns undefined when nothing can be sent now.
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
          (r) => this.timedOut(r, error),
        );
        this.failures++;
        await this.pause();
        return undefined;
      }
    }
    // One topic refused: find which, fail its records, send the others.
    for (const topic of missing) {
      try {
        collect(await this.client.metadata({ topics: [topic], retries: 0 }));
      } catch (error) {
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
   * overfill its partition's batch or the send. Records past their delivery timeout fail here.
   */
  private take(counts: Map<string, number>, now: number): Pending[] {
    const batch: Pending[] = [];
    const partitionBytes = new Map<string, number>();
    let bytes = 0;
    while (this.head < this.queue.length) {
      const record = this.queue[this.head]!;
      const count = counts.get(record.topic);
      if (record.deadline <= now || count === undefined) {
        this.dequeue();
        record.callback(this.timedOut(record, undefined), undefined);
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
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
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
   * its place in the batch. Records of the other partitions fail when the broker's answer (or
   * the whole error) is final or their time is up, and otherwise go back to the front of the
   * queue in order. Returns how many went back.
   */
  private settle(
    batch: Pending[],
    outcomes: Map<string, bigint | ProtocolError>,
    error: unknown,
  ): number {
    const next = new Map<string, bigint>();
    const again: Pending[] = [];
    const finalError = error !== undefined && (isFinal(error) || this.closed);
    const now = Date.now();
    for (const record of batch) {
      const slot = `${record.topic}:${record.partition}`;
      const outcome = outcomes.get(slot);
      if (typeof outcome === "bigint") {
        const offset = next.get(slot) ?? outcome;
        next.set(slot, offset + 1n);
        record.callback(undefined, { partition: record.partition, offset: String(offset) });
      } else if (outcome !== undefined && !outcome.canRetry) {
        record.callback(new Error(`${slot}: ${reasonOf(outcome)}`, { cause: outcome }), undefined);
      } else if (error === undefined) {
        record.callback(new Error(`${slot}: the brokers' answer did not include it`), undefined);
      } else if (finalError) {
        record.callback(asError(error), undefined);
      } else if (record.deadline <= now) {
        record.callback(this.timedOut(record, error), undefined);
      } else {
        again.push(record);
      }
    }
    if (again.length > 0) {
      this.settings.log?.(
        "warn",
        `sending ${again.length} records again after: ${asError(error).message}`,
      );
      this.queue = [...again, ...this.queue.slice(this.head)];
      this.head = 0;
      for (const record of again) this.queuedBytes += record.bytes;
    }
    return again.length;
  }

  private timedOut(record: Pending, cause: unknown): Error {
    return record.deadline <= Date.now()
      ? new DeliveryTimeoutError(this.settings.deliveryTimeoutMs, cause)
      : new Error(`${record.topic}: the cluster does not describe this topic`, { cause });
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
    for (const record of failed) record.callback(why(record), undefined);
  }

  /** Waits retryBackoffMs, doubled for each send that failed in a row, up to retryBackoffMaxMs. */
  private pause(): Promise<void> {
    const { retryBackoffMs, retryBackoffMaxMs } = this.settings;
    const ms = Math.min(retryBackoffMs * 2 ** Math.max(0, this.failures - 1), retryBackoffMaxMs);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/**
 * True when a broker answered and refused (the library reports a topic the cluster does not
 * have as a UserError), as opposed to no broker answering.
 */
function isRefusal(error: unknown): boolean {
  return inChain(error, (e) => e instanceof ProtocolError || e instanceof UserError);
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
