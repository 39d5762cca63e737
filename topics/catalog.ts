import { days } from "./durations.ts";
import { gib, kib } from "./sizes.ts";
import type { ComponentTopicDefinition, TopicDefinition } from "./types.ts";

/**
 * The topic catalog: every topic the platform runs, from the seed. Values the seed left open
 * carry a `rationale`. Replication factor 3 and min.insync.replicas 2 apply to every topic
 * (see ./policy.ts); per-environment differences live only in ./environment-overrides.ts.
 */
export const topicCatalog = [
  {
    name: "chat.messages.{tenant}",
    family: "per-tenant",
    description: "Chat messages as sent by users, one topic per tenant.",
    partitions: 32,
    retentionMs: days(30),
    cleanupPolicy: "delete",
    key: "conversation_id",
    events: ["chat.message.sent", "chat.message.edited", "chat.message.deleted"],
    replication: {
      allowed: true,
      rationale:
        "The messages users sent are the platform's data: losing a region must not lose them.",
    },
    capacity: {
      // Per tenant.
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(8) },
        staging: { avgBytesPerSec: kib(8), peakBytesPerSec: kib(64) },
        prod: { avgBytesPerSec: kib(150), peakBytesPerSec: kib(1536) },
      },
      compressionRatio: 3,
      retentionBytesPerPartition: gib(6),
      rationale:
        "A large tenant: ~300 messages/s of ~500 B with envelope at the daily average, ten times that at peak (launches, incidents). Chat text compresses about 3x with zstd. The 6 GiB cap per partition (192 GiB per tenant) is ~1.5x the 30 days expected, so only a sustained burst beyond plan cuts the oldest messages, and never another topic's disk.",
    },
  },
  {
    name: "chat.events",
    family: "single",
    description:
      "Conversation lifecycle and delivery events (created, member joined, read, persisted).",
    partitions: 16,
    retentionMs: days(7),
    cleanupPolicy: "delete",
    key: "conversation_id",
    events: [
      "chat.conversation.created",
      "chat.member.joined",
      "chat.member.left",
      "chat.message.read",
      "chat.message.persisted",
    ],
    rationale:
      "The seed gives no numbers. Keyed by conversation like chat.messages, so per-conversation order holds; 16 partitions because the volume is a fraction of messages (one per conversation change or read receipt batch) and 16 still spreads over 3 brokers with headroom for 16 consumers; 7 days is enough for any consumer outage and replay, since the durable record is the message store.",
    replication: {
      allowed: true,
      rationale:
        "Delivery and read state that consumers in the other region need to resume where this one stopped.",
    },
    capacity: {
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(8) },
        staging: { avgBytesPerSec: kib(4), peakBytesPerSec: kib(32) },
        prod: { avgBytesPerSec: kib(50), peakBytesPerSec: kib(512) },
      },
      compressionRatio: 3,
      rationale:
        "About a third of the chat.messages volume of all tenants (read receipts are batched); small events compress like chat text.",
    },
  },
  {
    name: "presence.updates",
    family: "single",
    description: "Latest presence (online, away, offline) per user.",
    partitions: 16,
    retentionMs: days(1),
    cleanupPolicy: "compact,delete",
    key: "user_id",
    events: ["presence.changed"],
    rationale:
      "The seed says compact with 1 day retention. With cleanup.policy=compact alone Kafka ignores retention.ms, so the 1 day would mean nothing; compact,delete keeps only the latest state per user and drops users not seen for a day.",
    replication: {
      allowed: false,
      rationale:
        "Presence is rebuilt within seconds from live connections; mirroring it would show users online in a region they are not connected to.",
    },
    capacity: {
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(4) },
        staging: { avgBytesPerSec: kib(2), peakBytesPerSec: kib(16) },
        prod: { avgBytesPerSec: kib(20), peakBytesPerSec: kib(200) },
      },
      compressionRatio: 2,
      rationale:
        "~200 presence changes/s of ~100 B in prod, bursting at the start of the working day; compaction keeps one record per user, so the disk is bounded by the day of retention.",
    },
  },
  {
    name: "notifications.pending",
    family: "single",
    description: "Notifications waiting to be delivered (push, email).",
    partitions: 8,
    retentionMs: days(7),
    cleanupPolicy: "delete",
    key: "user_id",
    events: ["notification.requested"],
    rationale:
      "Keyed by recipient so a user's notifications are delivered in order and deduplicated by one consumer.",
    capacity: {
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(4) },
        staging: { avgBytesPerSec: kib(2), peakBytesPerSec: kib(16) },
        prod: { avgBytesPerSec: kib(20), peakBytesPerSec: kib(200) },
      },
      compressionRatio: 2,
      rationale: "One notification per message to offline recipients, ~40 per second in prod.",
    },
  },
  {
    name: "analytics.events",
    family: "single",
    description: "Product analytics events from every service.",
    partitions: 24,
    retentionMs: days(90),
    cleanupPolicy: "delete",
    key: "user_id",
    events: ["analytics.event.tracked"],
    rationale: "Keyed by user so sessions can be reconstructed per partition without a shuffle.",
    capacity: {
      ingest: {
        dev: { avgBytesPerSec: kib(2), peakBytesPerSec: kib(16) },
        staging: { avgBytesPerSec: kib(16), peakBytesPerSec: kib(128) },
        prod: { avgBytesPerSec: kib(300), peakBytesPerSec: kib(2048) },
      },
      compressionRatio: 4,
      retentionBytesPerPartition: gib(32),
      rationale:
        "Every service emits product events (~1,000/s of ~300 B in prod); repetitive JSON compresses about 4x. The 32 GiB cap per partition (768 GiB) is ~1.4x the 90 days expected.",
    },
  },
  {
    name: "audit.log",
    family: "single",
    description: "Security and compliance audit trail (logins, permission changes, admin actions).",
    partitions: 12,
    retentionMs: days(365),
    cleanupPolicy: "delete",
    key: "tenant_id",
    events: ["audit.recorded"],
    rationale:
      "Keyed by tenant so each tenant's audit trail is totally ordered, which audit exports rely on.",
    replication: {
      allowed: true,
      rationale: "The compliance trail must survive the loss of a region.",
    },
    capacity: {
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(4) },
        staging: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(8) },
        prod: { avgBytesPerSec: kib(10), peakBytesPerSec: kib(100) },
      },
      compressionRatio: 3,
      rationale:
        "Logins, permission changes and admin actions: ~20/s of ~500 B in prod. No size cap: the audit trail must keep its full year.",
    },
  },
  {
    name: "internal.{service}.commands",
    family: "per-service",
    description: "Commands addressed to one service by the others (request/command channel).",
    partitions: 6,
    retentionMs: days(7),
    cleanupPolicy: "delete",
    key: "aggregate_id",
    events: ["command.issued"],
    rationale:
      "One topic per receiving service keeps its ACL literal (only senders may write, only the owner may read); 6 partitions cover the low command rate with room for 6 consumer instances.",
    capacity: {
      // Per receiving service.
      ingest: {
        dev: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(4) },
        staging: { avgBytesPerSec: kib(1), peakBytesPerSec: kib(8) },
        prod: { avgBytesPerSec: kib(2), peakBytesPerSec: kib(32) },
      },
      compressionRatio: 2,
      rationale: "API requests that become commands: a few per second per receiving service.",
    },
  },
] as const satisfies readonly TopicDefinition[];

export type CatalogTopicTemplate = (typeof topicCatalog)[number]["name"];

/**
 * Topics the platform's own components keep their state in. A stack has them where it enables
 * the component (topics/resolve.ts `components`); the component's KafkaUser gets exactly these
 * (acl/schema-registry.ts). Not event streams: no envelope, no schema subject.
 *
 * The Schema Registry's three are what Apicurio Registry 3.3.3's KafkaSQL storage uses, with
 * the configuration it verifies before it starts: `cleanup.policy=delete` with `retention.ms`
 * and `retention.bytes` -1. It refuses a compacted journal ("topic compaction will not have any
 * effect"): its records are not keyed for it, so the journal keeps everything
 * (docs/decisions/0012-schema-registry.md).
 */
const registryIngest = {
  dev: { avgBytesPerSec: 1, peakBytesPerSec: 64 * 1024 },
  staging: { avgBytesPerSec: 1, peakBytesPerSec: 64 * 1024 },
  prod: { avgBytesPerSec: 1, peakBytesPerSec: 64 * 1024 },
} as const;

export const componentTopicCatalog = [
  {
    name: "schema-registry.journal",
    component: "schema-registry",
    description:
      "The Schema Registry's KafkaSQL journal: every schema, version, rule and setting change; its only storage.",
    partitions: 1,
    retentionMs: -1,
    cleanupPolicy: "delete",
    key: "Apicurio's journal key",
    rationale:
      "Every registry replica replays the journal in order on start: one partition. Kept for ever (retention -1), as Apicurio requires: losing a record loses a schema.",
    capacity: {
      ingest: registryIngest,
      compressionRatio: 1,
      rationale:
        "Schema registrations come with deploys: a few KiB per new schema version, a burst when `npm run schemas -- register` runs.",
    },
  },
  {
    name: "schema-registry.snapshots",
    component: "schema-registry",
    description:
      "Snapshots of the Schema Registry's state, so a replica can start from the latest one instead of the whole journal.",
    partitions: 1,
    retentionMs: -1,
    cleanupPolicy: "delete",
    key: "snapshot id",
    rationale:
      "Written on Apicurio's snapshot schedule (daily by default) or on demand; kept like the journal, as Apicurio verifies.",
    capacity: {
      ingest: registryIngest,
      compressionRatio: 1,
      rationale: "One snapshot of the whole registry (KiB to a few MiB) a day at most.",
    },
  },
  {
    name: "schema-registry.events",
    component: "schema-registry",
    description:
      "Change events the Schema Registry publishes (schema created, rules changed), for audit and tooling.",
    partitions: 1,
    retentionMs: -1,
    cleanupPolicy: "delete",
    key: "registry entity",
    rationale:
      "Apicurio writes an event per change and verifies this topic like the journal at start; one partition keeps them in order.",
    capacity: {
      ingest: registryIngest,
      compressionRatio: 1,
      rationale: "One small event per registry change.",
    },
  },
] as const satisfies readonly ComponentTopicDefinition[];
