/** Types of the topic catalog. Pure data: importable by services without Pulumi or cdk8s. */

export type CleanupPolicy = "delete" | "compact" | "compact,delete";

/**
 * How a catalog entry becomes concrete topics in a stack:
 * - `single`: exactly one topic, named as written;
 * - `per-tenant`: one topic per tenant of the stack, `{tenant}` in the name;
 * - `per-service`: one topic per service that declares `receivesCommands`, `{service}` in the name.
 */
export type TopicFamily = "single" | "per-tenant" | "per-service";

/** Bytes per second producers write to one topic (before compression). */
export interface IngestRate {
  /** The expected average over a day. */
  readonly avgBytesPerSec: number;
  /** The expected busiest minute. */
  readonly peakBytesPerSec: number;
}

/**
 * What a topic costs in disk and network, per environment. For the families the rates are per
 * member: per tenant (`per-tenant`), per receiving service (`per-service`).
 */
export interface TopicCapacity {
  readonly ingest: Readonly<Record<Environment, IngestRate>>;
  /** Uncompressed bytes over bytes on disk, with the producers' compression (zstd). */
  readonly compressionRatio: number;
  /**
   * `retention.bytes`: a cap on each partition's size on disk, for high-volume topics, so a
   * burst beyond the plan deletes the oldest messages of that topic instead of filling the
   * brokers' disks. The catalog's retention time still applies below it.
   */
  readonly retentionBytesPerPartition?: number;
  /** Where the numbers come from. */
  readonly rationale: string;
}

export interface TopicDefinition {
  /** Name, or name template with `{tenant}` / `{service}` for the families. */
  readonly name: string;
  readonly family: TopicFamily;
  readonly description: string;
  readonly partitions: number;
  /** Retention in milliseconds. */
  readonly retentionMs: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** What the message key is; producers must key by it (per-key ordering). */
  readonly key: string;
  /** Event types (envelope `type`) that may appear on the topic. */
  readonly events: readonly string[];
  /** Why the values the seed left open were chosen. */
  readonly rationale?: string;
  /** Expected ingest, compression and size cap: the input of disk sizing and quotas. */
  readonly capacity: TopicCapacity;
  /**
   * Whether MirrorMaker 2 may replicate the topic to another region (a stack's
   * `mirrorMaker.topics` may name only topics marked `allowed`), and why.
   */
  readonly replication?: { readonly allowed: boolean; readonly rationale: string };
  /**
   * The schema compatibility of the topic's value subject(s), when not the default BACKWARD
   * (topics/compatibility.ts); checked when the catalog is validated.
   */
  readonly compatibility?: string;
}

/** A platform component that keeps its state in topics of its own (they are in the catalog too). */
export type PlatformComponent = "schema-registry";

/**
 * A topic a platform component keeps its own state in, such as the Schema Registry's KafkaSQL
 * journal: not an event stream (no envelope, no subject), present in a stack only where the
 * component is enabled, with RF 3 and min ISR 2 like every topic.
 */
export interface ComponentTopicDefinition {
  readonly name: string;
  readonly component: PlatformComponent;
  readonly description: string;
  readonly partitions: number;
  /** Retention in milliseconds; -1 keeps everything (retention.ms and retention.bytes -1). */
  readonly retentionMs: number;
  readonly cleanupPolicy: CleanupPolicy;
  readonly key: string;
  readonly rationale: string;
  readonly capacity: TopicCapacity;
}

/** A topic as one stack applies it: a concrete name and the full Kafka topic config. */
export interface ResolvedTopic {
  readonly name: string;
  /** Catalog entry (template name) this topic comes from; dead-letter topics name theirs. */
  readonly source: string;
  readonly family: TopicFamily | "dead-letter";
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka topic configs, string-valued as Kafka stores them, keys sorted. */
  readonly config: Readonly<Record<string, string>>;
  readonly key: string;
  readonly description: string;
  /** Expected ingest of this topic in the stack's environment. */
  readonly ingest: IngestRate;
  readonly compressionRatio: number;
}

export type Environment = "dev" | "staging" | "prod";
