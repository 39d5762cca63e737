import { RdKafka } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";
import { AuthenticationWatch, type ClientLog } from "./connection.ts";
import {
  asError,
  connectNative,
  nativeLoginConfig,
  watchNativeEvents,
} from "./native-connection.ts";

/**
 * librdkafka's own producer API, without the KafkaJS-compatible layer.
 *
 * The compatible layer costs a promise, a converted message and a converted header list per
 * record; measured on the local cluster it doubles the client's CPU per message (58 vs 25 µs)
 * and halves what a service can send (docs/decisions/0003, amendment). Non-transactional sends go
 * through this class; transactions stay on the KafkaJS layer (TransactionalProducer).
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

export interface NativeRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface NativeProducerSettings {
  readonly connection: ConnectionConfig;
  readonly clientId: string;
  readonly compression: "lz4" | "zstd" | "gzip" | "snappy" | "none";
  readonly lingerMs: number;
  readonly deliveryTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly log?: ClientLog;
}

/** librdkafka settings: SASL_SSL/SCRAM-SHA-512 with the cluster CA, acks=all, idempotent. */
export function nativeProducerConfig(settings: NativeProducerSettings): {
  global: RdKafka.ProducerGlobalConfig;
  topic: RdKafka.ProducerTopicConfig;
} {
  const global: RdKafka.ProducerGlobalConfig = {
    ...nativeLoginConfig(settings.connection, settings.clientId),
    "enable.idempotence": true,
    "compression.codec": settings.compression,
    "linger.ms": settings.lingerMs,
    "retry.backoff.ms": settings.retryBackoffMs,
    "retry.backoff.max.ms": settings.retryBackoffMaxMs,
    dr_cb: true,
  };
  return {
    global,
    topic: {
      acks: -1,
      "message.timeout.ms": settings.deliveryTimeoutMs,
      // Java's (and the KafkaJS layer's) key hashing, so a key lands on the same partition
      // whichever producer writes it (the transactional one runs on the KafkaJS layer).
      partitioner: "murmur2_random",
    },
  };
}

/** A callback-per-record producer; delivery reports are polled on librdkafka's own thread. */
export class NativeProducer {
  readonly auth = new AuthenticationWatch();
  private readonly client: RdKafka.Producer;
  private connected = false;

  constructor(private readonly settings: NativeProducerSettings) {
    const config = nativeProducerConfig(settings);
    this.client = new RdKafka.Producer(config.global, config.topic);
    this.client.on("delivery-report", (error, report) => {
      const callback = report.opaque as RecordCallback | undefined;
      if (error) callback?.(asError(error), undefined);
      else callback?.(undefined, { partition: report.partition, offset: String(report.offset) });
    });
    watchNativeEvents(this.client, this.auth, settings.log);
  }

  async connect(): Promise<void> {
    await connectNative(this.client);
    this.connected = true;
    this.client.setPollInBackground(true);
  }

  /**
   * Queues one record; `callback` runs once all in-sync replicas have it, or with the error
   * after librdkafka's own retries. A full local queue or a bad argument also ends in the
   * callback, never in a throw.
   */
  produce(topic: string, record: NativeRecord, callback: RecordCallback): void {
    const headers = Object.entries(record.headers).map(([name, value]) => ({ [name]: value }));
    try {
      this.client.produce(topic, null, record.value, record.key, null, callback, headers);
    } catch (error) {
      queueMicrotask(() => callback(asError(error), undefined));
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.flush(timeoutMs, (error) => (error ? reject(asError(error)) : resolve()));
    });
  }

  /**
   * Flushes what is queued (up to 5 s, like the KafkaJS layer) and disconnects. After a failed
   * or abandoned connect it only starts the teardown: librdkafka finishes it once its pending
   * metadata request gives up, and a refused login should not wait for that.
   */
  disconnect(): Promise<void> {
    if (!this.connected) {
      if (this.client.isConnected()) this.client.disconnect(0, () => undefined);
      return Promise.resolve();
    }
    this.connected = false;
    return new Promise((resolve, reject) => {
      this.client.disconnect(5_000, (error: unknown) =>
        error ? reject(asError(error)) : resolve(),
      );
    });
  }
}
