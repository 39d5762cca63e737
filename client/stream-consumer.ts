import {
  Consumer,
  FetchIsolationLevels,
  type Message,
  type MessagesStream,
  type fetchV17,
} from "@platformatic/kafka";
import { sleep } from "./backoff.ts";
import type { ConnectionConfig } from "./config.ts";
import { AuthenticationWatch, type ClientLog } from "./connection.ts";
import { asError } from "./errors.ts";
import { connectPlatformatic, platformaticLogin } from "./platformatic-connection.ts";

/**
 * The typed consumer's transport, on @platformatic/kafka's consumer: one stream of records for
 * the subscribed topics, read in batches. Measured on the local cluster it hands a record over
 * for about 7 µs of CPU, where librdkafka's `consume()` took 10 (decision 0003, fifth
 * amendment).
 *
 * Records flow from the library's stream into the module's buffer; past `MAX_BUFFERED` records
 * (held ones included) the stream is paused, so it fetches nothing more until the consumer
 * catches up. A partition whose record could not be dealt with is held: `hold()` puts its
 * remaining records in front of the partition's later ones, and they come back first in the
 * next batch.
 *
 * The module keeps each owned partition's position (the offset after the last record it took)
 * and drops what comes below it: on every change of the group's assignment the library reads
 * all owned partitions again from their committed offsets, which would hand records over twice
 * and out of order. Records of partitions the group took away are dropped too, and are not
 * committed.
 */

/** One record read from Kafka; headers decoded as UTF-8 strings (the last value of a name). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Broker timestamp, ms since the epoch, as a string. */
  readonly timestamp: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The partition leader's epoch when the record was written (KIP-320), for the commit. */
  readonly leaderEpoch: number;
}

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (last processed + 1). */
  readonly offset: string;
  readonly leaderEpoch: number;
}

export interface StreamConsumerSettings {
  readonly connection: ConnectionConfig;
  readonly clientId: string;
  readonly groupId: string;
  readonly groupProtocol: "consumer" | "classic";
  /** Wait this long for the first record of a batch; later ones are taken only if ready. */
  readonly pollTimeoutMs?: number;
  /** Where a group without committed offsets starts. Default earliest. */
  readonly startAt?: "earliest" | "latest";
  /**
   * False for a group that never commits (a broadcast reader): a stream opened again after a
   * failure then goes on from the module's own positions rather than from the latest offset.
   */
  readonly commits?: boolean;
  readonly log?: ClientLog;
}

/** Records read ahead of the consumer (and held); past this the stream fetches nothing more. */
export const MAX_BUFFERED = 10_000;
/** How long a broker may take to answer a fetch when it has nothing new (fetch.wait.max.ms). */
const FETCH_WAIT_MS = 50;
/** Java's max.partition.fetch.bytes default. */
const PARTITION_FETCH_BYTES = 1_048_576;
/** A partition's position before its first record. */
const UNKNOWN = -1n;
/**
 * The position of a partition given back to the consumer while the stream may still hold
 * records of it from before it was taken away: everything is dropped until a new stream opens.
 */
const STALE = -2n;
/** A stream that failed is opened again after this pause. */
const REOPEN_PAUSE_MS = 1_000;
/** commitNow() tries a failed commit this many times, this far apart. */
const COMMIT_ATTEMPTS = 3;
const COMMIT_RETRY_PAUSE_MS = 500;

type StreamMessage = Message<Buffer | undefined, Buffer | undefined, string, string>;
type LibraryConsumer = Consumer<Buffer | undefined, Buffer | undefined, string, string>;
type LibraryStream = MessagesStream<Buffer | undefined, Buffer | undefined, string, string>;
type Fetch = LibraryConsumer["fetch"];
type FetchResponse = fetchV17.FetchResponse;

/** The module's key for a partition in its maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function toRecord(message: StreamMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headerEntries) headers[name] = value;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: message.key ?? null,
    value: message.value ?? null,
    timestamp: message.timestamp.toString(),
    headers,
    leaderEpoch: message.leaderEpoch,
  };
}

/** Library settings: the group, manual commits, read_committed, the fetch sizes. */
export function streamConsumerOptions(settings: StreamConsumerSettings) {
  const decode = (data?: Buffer) => (data === undefined ? "" : data.toString("utf8"));
  return {
    ...platformaticLogin(settings.connection, settings.clientId),
    groupId: settings.groupId,
    groupProtocol: settings.groupProtocol,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    maxWaitTime: FETCH_WAIT_MS,
    maxBytesPerPartition: PARTITION_FETCH_BYTES,
    deserializers: {
      key: (data?: Buffer) => data,
      value: (data?: Buffer) => data,
      headerKey: decode,
      headerValue: decode,
    },
  };
}

/** Manual commits, reading from the earliest offset when the group has none, read_committed. */
export class StreamConsumer {
  readonly auth = new AuthenticationWatch();
  private readonly client: LibraryConsumer;
  private stream: LibraryStream | undefined;
  private streamFailure: Error | undefined;
  private topics: readonly string[] = [];
  /** Records read and not yet handed over, in the order the stream gave them. */
  private buffer: StreamMessage[] = [];
  /** Held records per partition: they come before the partition's records in `buffer`. */
  private readonly held = new Map<string, ConsumedRecord[]>();
  private heldCount = 0;
  /** True while the stream is paused because the buffer is full. */
  private pausedHere = false;
  private wake: (() => void) | undefined;
  /**
   * Per topic, per owned partition: the offset after the last record taken from the stream,
   * UNKNOWN before the first, or STALE (see followAssignment). Partitions not owned have no
   * entry.
   */
  private positions = new Map<string, bigint[]>();
  /** Partitions this stream has handed records of: it may hold later ones of them. */
  private touched = new Set<string>();
  /** A partition came back that this stream may still hold old records of: open a new one. */
  private staleStream = false;
  /** The group assignment `positions` was last built from. */
  private seenAssignments: LibraryConsumer["assignments"] = null;
  /** The partitions' readable end (last stable offset) as of their last fetch. */
  private readonly ends = new Map<string, number>();
  private readonly topicNames = new Map<string, string>();
  private namesRefresh: Promise<void> | undefined;
  private readonly pendingCommits = new Map<string, PartitionOffset>();
  /** The highest offset committed per partition: a commit never moves it back. */
  private readonly committed = new Map<string, bigint>();
  private committing: Promise<void> | undefined;
  private readonly closing = new AbortController();
  private connected = false;

  constructor(private readonly settings: StreamConsumerSettings) {
    this.client = new Consumer(streamConsumerOptions(settings)) as LibraryConsumer;
    // The stream fetches through the consumer's public fetch(); the answers carry each
    // partition's end, which the lag in health() is measured against.
    const fetch = this.client.fetch.bind(this.client) as (
      options: Parameters<Fetch>[0],
      callback: (error: Error | null, response?: FetchResponse) => void,
    ) => void;
    const observed = (
      options: Parameters<Fetch>[0],
      callback: (error: Error | null, response?: FetchResponse) => void,
    ): void =>
      fetch(options, (error, response) => {
        if (response !== undefined) this.noteEnds(response);
        callback(error, response);
      });
    (this.client as unknown as { fetch: typeof observed }).fetch = observed;
  }

  async connect(): Promise<void> {
    await connectPlatformatic(this.client, this.auth, () => this.pause(1_000), 1_000);
    this.connected = true;
  }

  /** Joins the group for `topics` and starts reading. */
  async subscribe(topics: readonly string[]): Promise<void> {
    this.topics = [...topics];
    // Tracked once more than by the stream, so that a stream closed after a failure does not
    // take the subscription (and with it the group membership) away until the next opens.
    this.client.topics.trackAll(...this.topics);
    await this.open("committed");
  }

  private async open(mode: "committed" | "manual"): Promise<void> {
    const offsets =
      mode === "manual"
        ? [...this.positions].flatMap(([topic, list]) =>
            list.flatMap((offset, partition) =>
              offset >= 0n ? [{ topic, partition, offset }] : [],
            ),
          )
        : [];
    const stream = await this.client.consume({
      topics: [...this.topics],
      fallbackMode: this.settings.startAt ?? "earliest",
      ...(mode === "manual" && offsets.length > 0
        ? { mode: "manual" as const, offsets }
        : { mode: "committed" as const }),
    });
    this.stream = stream;
    this.streamFailure = undefined;
    this.pausedHere = false;
    stream.on("data", (message: StreamMessage) => this.take(message));
    stream.on("error", (error: Error) => {
      this.streamFailure = error;
      this.settings.log?.("warn", `reading stopped: ${error.message}`);
      this.wakeUp();
    });
    void this.refreshTopicNames();
  }

  /** One record from the stream: kept when its partition is owned and it is not a repeat. */
  private take(message: StreamMessage): void {
    if (this.client.assignments !== this.seenAssignments) this.followAssignment();
    const positions = this.positions.get(message.topic);
    const next = positions?.[message.partition];
    if (positions === undefined || next === undefined || next === STALE || message.offset < next) {
      return;
    }
    if (next === UNKNOWN) this.touched.add(partitionKey(message.topic, message.partition));
    positions[message.partition] = message.offset + 1n;
    const held =
      this.heldCount > 0
        ? this.held.get(partitionKey(message.topic, message.partition))
        : undefined;
    if (held !== undefined) {
      held.push(toRecord(message));
      this.heldCount++;
    } else {
      this.buffer.push(message);
    }
    if (this.buffer.length + this.heldCount >= MAX_BUFFERED && this.stream?.isPaused() === false) {
      this.pausedHere = true;
      this.stream.pause();
    }
    this.wakeUp();
  }

  /**
   * Rebuilds the owned partitions from the group's assignment, keeping the positions of those
   * still owned, and drops what was read ahead (and held) for the others: their new owner reads
   * them from the committed offset.
   *
   * A partition given back after this stream handed records of it over is STALE: the library
   * reads it again from the committed offset, but a fetch made before it was taken away (in
   * flight, or waiting in the paused stream) can still deliver later records first, and taking
   * those would drop the re-read as repeats. consume() opens a new stream before going on.
   */
  private followAssignment(): void {
    const assignments = this.client.assignments;
    this.seenAssignments = assignments;
    const positions = new Map<string, bigint[]>();
    for (const { topic, partitions } of assignments ?? []) {
      const before = this.positions.get(topic);
      const list: bigint[] = [];
      for (const partition of partitions) {
        const kept = before?.[partition];
        if (kept !== undefined) list[partition] = kept;
        else if (this.touched.has(partitionKey(topic, partition))) {
          list[partition] = STALE;
          this.staleStream = true;
        } else list[partition] = UNKNOWN;
      }
      positions.set(topic, list);
    }
    for (const [topic, list] of this.positions) {
      list.forEach((_, partition) => {
        if (positions.get(topic)?.[partition] !== undefined) return;
        // Taken away: what this consumer committed or meant to commit is the new owner's now.
        const id = partitionKey(topic, partition);
        this.committed.delete(id);
        this.pendingCommits.delete(id);
      });
    }
    this.positions = positions;
    this.buffer = this.buffer.filter((m) => this.owns(m.topic, m.partition));
    for (const [id, list] of this.held) {
      const first = list[0];
      if (first !== undefined && this.owns(first.topic, first.partition)) continue;
      this.held.delete(id);
      this.heldCount -= list.length;
    }
  }

  /** Records read and not yet handed over, held ones included. */
  get readAhead(): number {
    return this.buffer.length + this.heldCount;
  }

  /** True while the group assigns the partition to this consumer. */
  owns(topic: string, partition: number): boolean {
    if (this.client.assignments !== this.seenAssignments) this.followAssignment();
    return this.positions.get(topic)?.[partition] !== undefined;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits `ms`, or less when the consumer is interrupted. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, this.closing.signal);
  }

  /**
   * Up to `max` records, held ones first: waits for the first one (poll timeout), then takes
   * what is ready. A failed stream is opened again, after a pause.
   */
  async consume(max: number): Promise<ConsumedRecord[]> {
    if (this.buffer.length === 0 && this.heldCount === 0 && !this.closing.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, this.settings.pollTimeoutMs ?? 100);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.closing.signal.aborted) return [];
    if (this.streamFailure !== undefined || this.stream?.destroyed === true) {
      await this.reopen(REOPEN_PAUSE_MS);
    } else if (this.staleStream) {
      await this.reopen(0);
    }
    if (this.client.assignments !== this.seenAssignments) this.followAssignment();
    // A commit that failed while the consumer was idle is tried again here.
    if (this.committing === undefined && this.pendingCommits.size > 0) this.commit([]);
    const records: ConsumedRecord[] = [];
    for (const list of this.held.values()) for (const record of list) records.push(record);
    // Held records usually come back (the dead letter still cannot be written): they count
    // against the room for read-ahead until they are handled.
    const heldOut = this.heldCount;
    this.held.clear();
    this.heldCount = 0;
    const taken = this.buffer.length <= max ? this.buffer : this.buffer.slice(0, max);
    this.buffer = taken === this.buffer ? [] : this.buffer.slice(max);
    for (const message of taken) records.push(toRecord(message));
    if (this.pausedHere && this.buffer.length + heldOut < MAX_BUFFERED / 2) {
      this.pausedHere = false;
      if (this.stream?.isPaused() === true) this.stream.resume();
    }
    return records;
  }

  /**
   * Opens the stream again, after a failure or for a STALE partition. What was read ahead (and
   * held) is dropped and the positions go back to its first record, so it is read again: from
   * the committed offsets, or for a group that does not commit, from those positions (and,
   * where the module has none, from where the old stream would have fetched next).
   */
  private async reopen(pauseMs: number): Promise<void> {
    const failure = this.streamFailure;
    this.staleStream = false;
    const rewind = (topic: string, partition: number, offset: bigint): void => {
      const list = this.positions.get(topic);
      const current = list?.[partition];
      if (list !== undefined && current !== undefined && (current < 0n || offset < current)) {
        list[partition] = offset;
      }
    };
    for (const list of this.held.values()) {
      const first = list[0];
      if (first !== undefined) rewind(first.topic, first.partition, BigInt(first.offset));
    }
    for (const m of this.buffer) rewind(m.topic, m.partition, m.offset);
    this.buffer = [];
    this.held.clear();
    this.heldCount = 0;
    const old = this.stream;
    this.stream = undefined;
    this.touched = new Set();
    for (const [topic, list] of this.positions) {
      list.forEach((position, partition) => {
        if (position === STALE) {
          list[partition] = UNKNOWN;
        } else if (position === UNKNOWN && this.settings.commits === false) {
          // The library's key for a partition is "topic:partition".
          const next = old?.offsetsToFetch.get(`${topic}:${partition}`);
          if (next !== undefined && next >= 0n) list[partition] = next;
        }
        if ((list[partition] as bigint) >= 0n) this.touched.add(partitionKey(topic, partition));
      });
    }
    await old?.close().catch(() => undefined);
    await this.pause(pauseMs);
    if (this.closing.signal.aborted) return;
    try {
      await this.open(this.settings.commits === false ? "manual" : "committed");
    } catch (error) {
      this.streamFailure = asError(error);
      throw error;
    }
    if (failure !== undefined) this.settings.log?.("info", "reading resumed");
  }

  /**
   * Gives back a partition's records (in order, from the first not dealt with); they come back
   * first in the next batch, before the partition's records read since.
   */
  hold(records: readonly ConsumedRecord[]): void {
    const first = records[0];
    if (first === undefined || !this.owns(first.topic, first.partition)) return;
    const id = partitionKey(first.topic, first.partition);
    // Read ahead of the held ones: move them behind the held records, in order.
    const list = [...records];
    this.buffer = this.buffer.filter((message) => {
      if (message.topic !== first.topic || message.partition !== first.partition) return true;
      list.push(toRecord(message));
      return false;
    });
    this.heldCount += list.length - (this.held.get(id)?.length ?? 0);
    this.held.set(id, list);
  }

  /**
   * Commits in the background, one request at a time. An offset never moves back, and
   * partitions the group took away are not committed.
   */
  commit(offsets: readonly PartitionOffset[]): void {
    for (const offset of offsets) {
      if (!this.owns(offset.topic, offset.partition)) continue;
      const id = partitionKey(offset.topic, offset.partition);
      const value = BigInt(offset.offset);
      const pending = this.pendingCommits.get(id);
      const done = this.committed.get(id);
      if ((pending === undefined || BigInt(pending.offset) < value) && (done ?? -1n) < value) {
        this.pendingCommits.set(id, offset);
      }
    }
    if (this.committing === undefined && this.pendingCommits.size > 0) {
      this.committing = this.sendCommits();
    }
  }

  /** Commits and waits for the broker; tries a failed commit again twice before throwing. */
  async commitNow(offsets: readonly PartitionOffset[]): Promise<void> {
    this.commit(offsets);
    for (let attempt = 1; ; attempt++) {
      await this.committing;
      if (this.pendingCommits.size === 0) return;
      if (attempt === COMMIT_ATTEMPTS) {
        throw new Error(`commit failed ${attempt} times; the offsets stay uncommitted`);
      }
      await sleep(COMMIT_RETRY_PAUSE_MS);
      this.commit([]);
    }
  }

  /** Sends what is pending until nothing is; after a failure puts it back and stops. */
  private async sendCommits(): Promise<void> {
    // Never settle synchronously: the caller stores this promise in `committing`, which the
    // finally below must find set.
    await Promise.resolve();
    try {
      while (this.pendingCommits.size > 0) {
        const batch = [...this.pendingCommits.values()].filter((o) =>
          this.owns(o.topic, o.partition),
        );
        this.pendingCommits.clear();
        if (batch.length === 0) break;
        try {
          await this.client.commit({
            offsets: batch.map((o) => ({
              topic: o.topic,
              partition: o.partition,
              offset: BigInt(o.offset),
              leaderEpoch: o.leaderEpoch,
            })),
          });
          for (const o of batch) {
            const id = partitionKey(o.topic, o.partition);
            const value = BigInt(o.offset);
            if ((this.committed.get(id) ?? -1n) < value) this.committed.set(id, value);
          }
        } catch (error) {
          this.settings.log?.("warn", `commit failed: ${asError(error).message}`);
          // Tried again with the next commit (or by commitNow), unless a later one replaced it.
          for (const o of batch) {
            const id = partitionKey(o.topic, o.partition);
            if (!this.pendingCommits.has(id)) this.pendingCommits.set(id, o);
          }
          return;
        }
      }
    } finally {
      this.committing = undefined;
    }
  }

  assignment(): { topic: string; partition: number }[] {
    if (!this.connected) return [];
    return (this.client.assignments ?? []).flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  }

  /**
   * Records left to handle in a partition once everything before `next` is handled, as of its
   * last fetch; undefined before the first. When the module holds nothing more of the partition,
   * it counts from where the stream goes on reading, so the markers that end transactions (which
   * take an offset but are no record) do not show as lag.
   */
  lagAfter(topic: string, partition: number, next: bigint): number | undefined {
    const end = this.ends.get(partitionKey(topic, partition));
    if (end === undefined) return undefined;
    let from = next;
    const stream = this.stream;
    const allTaken = stream !== undefined && !stream.isPaused() && stream.readableLength === 0;
    if (allTaken && this.positions.get(topic)?.[partition] === next) {
      // The library's key for a partition is "topic:partition".
      const fetching = stream.offsetsToFetch.get(`${topic}:${partition}`);
      if (fetching !== undefined && fetching > from) from = fetching;
    }
    return Math.max(0, end - Number(from));
  }

  private noteEnds(response: FetchResponse): void {
    for (const topic of response.responses) {
      const name = this.topicNames.get(topic.topicId);
      if (name === undefined) {
        void this.refreshTopicNames();
        continue;
      }
      for (const p of topic.partitions) {
        if (p.errorCode !== 0) continue;
        const end = p.lastStableOffset >= 0n ? p.lastStableOffset : p.highWatermark;
        this.ends.set(partitionKey(name, p.partitionIndex), Number(end));
      }
    }
  }

  private refreshTopicNames(): Promise<void> {
    this.namesRefresh ??= (async () => {
      try {
        const metadata = await this.client.metadata({ topics: [...this.topics] });
        for (const [name, topic] of metadata.topics) this.topicNames.set(topic.id, name);
      } catch {
        // The next fetch answer asks again.
      } finally {
        this.namesRefresh = undefined;
      }
    })();
    return this.namesRefresh;
  }

  /** Ends any wait in consume() and connect() at once; consume() then returns nothing. */
  interrupt(): void {
    this.closing.abort();
    this.wakeUp();
  }

  /** Stops reading, leaves the group and closes. */
  async disconnect(): Promise<void> {
    this.interrupt();
    this.connected = false;
    if (this.pendingCommits.size > 0) {
      await this.commitNow([]).catch((error: unknown) => {
        this.settings.log?.("error", `final commit failed: ${asError(error).message}`);
      });
    }
    await this.committing;
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(() => undefined);
    await this.client.close(true);
  }
}
