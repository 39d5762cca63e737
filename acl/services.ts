import type { ServiceDefinition } from "./types.ts";

/**
 * The services of the chat platform, from the seed. Changing this list needs a written reason
 * in the pull request: each entry becomes a KafkaUser with exactly the access derived here.
 */
export const services = [
  {
    name: "socket-service",
    namespace: "socket-service",
    description:
      "Holds client WebSocket connections: publishes what users send, pushes events back.",
    produces: ["chat.messages.{tenant}", "chat.events", "presence.updates", "analytics.events"],
    // Every instance pushes these to its own connections, so each reads them in full.
    consumes: [],
    broadcasts: ["chat.events", "presence.updates"],
    // Each WebSocket pod reads the broadcasts in full: its consumer quota counts every pod.
    instances: 12,
  },
  {
    name: "auth-service",
    namespace: "auth-service",
    description: "Authentication and sessions; records security events.",
    produces: ["audit.log", "analytics.events"],
    consumes: [],
    receivesCommands: true,
  },
  {
    name: "api-gateway",
    namespace: "api-gateway",
    description: "Public HTTP API; issues commands to the services behind it.",
    produces: ["audit.log", "analytics.events"],
    consumes: [],
    sendsCommandsTo: ["message-processor", "auth-service", "notification-service"],
  },
  {
    name: "message-processor",
    namespace: "message-processor",
    description: "Validates and persists chat messages, then fans out events exactly once.",
    produces: ["chat.events", "notifications.pending", "analytics.events"],
    consumes: ["chat.messages.{tenant}"],
    receivesCommands: true,
    transactional: true,
  },
  {
    name: "notification-service",
    namespace: "notification-service",
    description: "Delivers push and email notifications.",
    produces: ["analytics.events"],
    consumes: ["notifications.pending"],
    receivesCommands: true,
    lag: {
      target: 100,
      warning: 1_000,
      critical: 10_000,
      reason:
        "A pending notification is a user waiting for a push: at ~40 notifications/s, 1,000 behind is already 25 s late, so the target and alerts are ten times tighter than the default.",
    },
  },
  {
    name: "analytics-service",
    namespace: "analytics-service",
    description: "Aggregates product analytics.",
    produces: [],
    consumes: ["analytics.events", "chat.events"],
    lag: {
      target: 100_000,
      warning: 1_000_000,
      critical: 10_000_000,
      reason:
        "Aggregates in micro-batches and nobody waits on it: at ~1,000 events/s, 100,000 behind is under two minutes, and the 90 days of retention leave hours of room before data is at risk.",
    },
  },
  {
    name: "audit-service",
    namespace: "audit-service",
    description: "Stores the audit trail for compliance exports.",
    produces: [],
    consumes: ["audit.log"],
  },
  {
    name: "search-indexer",
    namespace: "search-indexer",
    description: "Indexes messages and conversation changes for search.",
    produces: [],
    consumes: ["chat.messages.{tenant}", "chat.events"],
  },
] as const satisfies readonly ServiceDefinition[];

export type ServiceName = (typeof services)[number]["name"];

/** The platform's own administrative user: a Kafka super user, never used by services. */
export const PLATFORM_ADMIN_USER = "platform-admin";
