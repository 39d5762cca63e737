import type { z } from "zod";
import type { topicCatalog } from "../catalog.ts";
import { analyticsEventTrackedV1 } from "./analytics.ts";
import { auditRecordedV1 } from "./audit.ts";
import {
  chatConversationCreatedV1,
  chatMemberJoinedV1,
  chatMemberLeftV1,
  chatMessagePersistedV1,
  chatMessageReadV1,
} from "./chat-events.ts";
import { chatMessageDeletedV1, chatMessageEditedV1, chatMessageSentV1 } from "./chat-messages.ts";
import { commandIssuedV1 } from "./commands.ts";
import { notificationRequestedV1 } from "./notifications.ts";
import { presenceChangedV1 } from "./presence.ts";

/** Every event type the catalog lists on some topic (the envelope's `type`). */
export type CatalogEventType = (typeof topicCatalog)[number]["events"][number];

/** One event type's payload schemas by version; `latest` is what producers write. */
export interface EventVersions {
  readonly latest: number;
  readonly versions: Readonly<Record<number, z.ZodType>>;
}

/**
 * Payload schemas per catalog event type and version. A new version is added next to the old
 * one (consumers keep decoding both) and becomes `latest` once every consumer understands it.
 * `satisfies` makes a catalog event without a schema, or a schema for no catalog event, a
 * compile error.
 */
export const eventSchemas = {
  "chat.message.sent": { latest: 1, versions: { 1: chatMessageSentV1 } },
  "chat.message.edited": { latest: 1, versions: { 1: chatMessageEditedV1 } },
  "chat.message.deleted": { latest: 1, versions: { 1: chatMessageDeletedV1 } },
  "chat.conversation.created": { latest: 1, versions: { 1: chatConversationCreatedV1 } },
  "chat.member.joined": { latest: 1, versions: { 1: chatMemberJoinedV1 } },
  "chat.member.left": { latest: 1, versions: { 1: chatMemberLeftV1 } },
  "chat.message.read": { latest: 1, versions: { 1: chatMessageReadV1 } },
  "chat.message.persisted": { latest: 1, versions: { 1: chatMessagePersistedV1 } },
  "presence.changed": { latest: 1, versions: { 1: presenceChangedV1 } },
  "notification.requested": { latest: 1, versions: { 1: notificationRequestedV1 } },
  "analytics.event.tracked": { latest: 1, versions: { 1: analyticsEventTrackedV1 } },
  "audit.recorded": { latest: 1, versions: { 1: auditRecordedV1 } },
  "command.issued": { latest: 1, versions: { 1: commandIssuedV1 } },
} as const satisfies Record<CatalogEventType, EventVersions>;

type Schemas = typeof eventSchemas;

/** The latest schema version of an event type. */
export type LatestVersion<E extends CatalogEventType> = Schemas[E]["latest"];

/** The payload of event type `E` at version `V` (the latest by default), as producers write it. */
export type EventPayloadInput<
  E extends CatalogEventType,
  V extends keyof Schemas[E]["versions"] = LatestVersion<E>,
> = Schemas[E]["versions"][V] extends z.ZodType ? z.input<Schemas[E]["versions"][V]> : never;

/** The payload of event type `E` at version `V` (the latest by default), as consumers read it. */
export type EventPayload<
  E extends CatalogEventType,
  V extends keyof Schemas[E]["versions"] = LatestVersion<E>,
> = Schemas[E]["versions"][V] extends z.ZodType ? z.output<Schemas[E]["versions"][V]> : never;

export function isCatalogEventType(type: string): type is CatalogEventType {
  return Object.hasOwn(eventSchemas, type);
}

/** The schema of `type` at `version`, or undefined when that pair is not known. */
export function payloadSchemaFor(type: string, version: number): z.ZodType | undefined {
  if (!isCatalogEventType(type)) return undefined;
  const versions: Readonly<Record<number, z.ZodType>> = eventSchemas[type].versions;
  return Object.hasOwn(versions, version) ? versions[version] : undefined;
}

export function latestVersionOf(type: CatalogEventType): number {
  return eventSchemas[type].latest;
}
