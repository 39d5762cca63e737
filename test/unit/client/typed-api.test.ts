import { describe, expect, expectTypeOf, it } from "vitest";
import type { OutgoingEvent, TypedProducer } from "../../../client/producer.ts";
import type { TypedConsumer } from "../../../client/consumer.ts";
import type { KafkaClient } from "../../../client/index.ts";
import type {
  BroadcastTopic,
  CatalogTopicName,
  ConsumableTopic,
  DeadLetterTopicName,
  EventTypeOn,
  KeyFieldOf,
  ProducibleTopic,
} from "../../../client/topic-types.ts";
import { createEnvelope, messageKeyFor } from "../../../client/envelope.ts";
import type { EventPayload } from "../../../topics/events/registry.ts";

/**
 * Compile-time safety: `tsc --noEmit` (part of `npm test`) checks this file, so every
 * `@ts-expect-error` line below must stay an error — producing to an undeclared topic or with
 * a wrong payload does not compile. The runtime assertions check the same facts where they exist.
 */

// Sending is only type-checked here, never executed.
declare const socket: TypedProducer<"socket-service">;
declare const gateway: TypedProducer<"api-gateway">;
declare const socketClient: KafkaClient<"socket-service">;
declare const indexerClient: KafkaClient<"search-indexer">;
const now = "2026-11-23T10:00:00.000Z";

function compileOnly(): void {
  void socket.send("chat.messages.acme", {
    type: "chat.message.sent",
    tenantId: "acme",
    payload: { conversation_id: "c", message_id: "m", sender_id: "u", text: "hi", sent_at: now },
  });
  void socket.send("presence.updates", {
    type: "presence.changed",
    tenantId: "acme",
    payload: { user_id: "u", status: "online", changed_at: now },
  });
  void gateway.send("internal.auth-service.commands", {
    type: "command.issued",
    tenantId: "acme",
    payload: { aggregate_id: "a", command: "revoke", arguments: {}, issued_by: "admin" },
  });

  // Broadcast readers: only the topics a service declares in `broadcasts`, payloads typed.
  socketClient.broadcastConsumer({
    instanceId: "socket-0",
    topics: ["presence.updates"],
    handler: (envelope) => {
      if (envelope.type === "presence.changed") void envelope.payload.status;
      return Promise.resolve();
    },
  });
  // @ts-expect-error socket-service reads presence.updates per instance, not as a shared group
  socketClient.consumer({ topics: ["presence.updates"], handler: () => Promise.resolve() });
  indexerClient.broadcastConsumer({
    instanceId: "i-0",
    // @ts-expect-error search-indexer declares no broadcasts
    topics: ["chat.events"],
    handler: () => Promise.resolve(),
  });

  // @ts-expect-error a topic the catalog does not declare
  void socket.send("chat.mesages.acme", {
    type: "chat.message.sent",
    tenantId: "acme",
    payload: {},
  });
  // @ts-expect-error socket-service does not produce audit.log
  void socket.send("audit.log", {
    type: "audit.recorded",
    tenantId: "acme",
    payload: { actor_id: "u", action: "a", target: "t", outcome: "success", recorded_at: now },
  });
  // @ts-expect-error an event type that does not belong on chat.messages
  const wrongType: OutgoingEvent<"chat.messages.acme">["type"] = "presence.changed";
  void wrongType;
  void socket.send("chat.messages.acme", {
    type: "chat.message.sent",
    tenantId: "acme",
    // @ts-expect-error the payload lacks the key field conversation_id
    payload: { message_id: "m", sender_id: "u", text: "hi", sent_at: now },
  });
  void socket.send("presence.updates", {
    type: "presence.changed",
    tenantId: "acme",
    // @ts-expect-error "busy" is not a presence status
    payload: { user_id: "u", status: "busy", changed_at: now },
  });
  // @ts-expect-error api-gateway may command message-processor, but search-indexer receives no commands
  void gateway.send("internal.search-indexer.commands", {
    type: "command.issued",
    tenantId: "acme",
    payload: { aggregate_id: "a", command: "x", arguments: {}, issued_by: "u" },
  });
  const anyTopic: string = "chat.events";
  // @ts-expect-error a plain string is not a known topic
  void socket.send(anyTopic, {
    type: "chat.member.joined",
    tenantId: "acme",
    payload: { conversation_id: "c", user_id: "u", joined_at: now },
  });
}

describe("typed API", () => {
  it("derives topic names from the catalog templates", () => {
    expectTypeOf<"chat.messages.acme">().toExtend<CatalogTopicName>();
    expectTypeOf<"internal.message-processor.commands">().toExtend<CatalogTopicName>();
    expectTypeOf<"internal.api-gateway.commands">().not.toExtend<CatalogTopicName>();
    expectTypeOf<"chat.messages">().not.toExtend<CatalogTopicName>();
    expectTypeOf<"dlq.search-indexer">().toExtend<DeadLetterTopicName>();
    expectTypeOf<"dlq.api-gateway">().not.toExtend<DeadLetterTopicName>();
    expectTypeOf<EventTypeOn<"chat.messages.acme">>().toEqualTypeOf<
      "chat.message.sent" | "chat.message.edited" | "chat.message.deleted"
    >();
    expectTypeOf<KeyFieldOf<"chat.messages.globex">>().toEqualTypeOf<"conversation_id">();
    expectTypeOf<KeyFieldOf<"audit.log">>().toEqualTypeOf<"tenant_id">();
  });

  it("limits each service to what it declared", () => {
    expectTypeOf<ProducibleTopic<"api-gateway">>().toEqualTypeOf<
      | "audit.log"
      | "analytics.events"
      | "internal.message-processor.commands"
      | "internal.auth-service.commands"
      | "internal.notification-service.commands"
    >();
    expectTypeOf<ConsumableTopic<"message-processor">>().toEqualTypeOf<
      `chat.messages.${string}` | "internal.message-processor.commands"
    >();
    expectTypeOf<BroadcastTopic<"socket-service">>().toEqualTypeOf<
      "chat.events" | "presence.updates"
    >();
    expectTypeOf<BroadcastTopic<"search-indexer">>().toBeNever();
    expectTypeOf<"dlq.socket-service">().toExtend<DeadLetterTopicName>();
    expectTypeOf<Parameters<TypedConsumer<"audit-service", "audit.log">["health"]>>().toEqualTypeOf<
      []
    >();
    expectTypeOf<EventPayload<"chat.message.sent">["conversation_id"]>().toEqualTypeOf<string>();
    expect(typeof compileOnly).toBe("function");
  });

  it("keys chat.messages.<tenant> by the conversation id and audit.log by the tenant", () => {
    const message = createEnvelope({
      type: "chat.message.sent",
      tenantId: "acme",
      source: "socket-service",
      payload: {
        conversation_id: "conv-42",
        message_id: "m",
        sender_id: "u",
        text: "hi",
        sent_at: now,
      },
    });
    expect(messageKeyFor("chat.messages.acme", message)).toBe("conv-42");
    const audit = createEnvelope({
      type: "audit.recorded",
      tenantId: "globex",
      source: "auth-service",
      payload: {
        actor_id: "u",
        action: "login",
        target: "session",
        outcome: "success",
        recorded_at: now,
      },
    });
    expect(messageKeyFor("audit.log", audit)).toBe("globex");
    expect(() => messageKeyFor("chat.events", audit)).toThrow(
      /audit.recorded does not belong on chat.events \(allowed: chat.conversation.created/,
    );
    expect(() => messageKeyFor("chat.messages.acme.extra", message)).toThrow(
      /not a topic of the catalog/,
    );
    expect(() => messageKeyFor("dlq.search-indexer", message)).toThrow(
      /not a topic of the catalog/,
    );
  });
});
