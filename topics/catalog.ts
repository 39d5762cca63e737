import { days } from "./durations.ts";
import type { TopicDefinition } from "./types.ts";

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
  },
] as const satisfies readonly TopicDefinition[];

export type CatalogTopicTemplate = (typeof topicCatalog)[number]["name"];
