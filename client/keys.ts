import { topicCatalog } from "../topics/catalog.ts";
import { DEAD_LETTER_PREFIX } from "../topics/policy.ts";
import { familyPrefix } from "../topics/templates.ts";
import type { TopicDefinition } from "../topics/types.ts";
import type { Envelope } from "./envelope.ts";

/** Lookups by topic name; the catalog does not change while a process runs. */
const entries = new Map<string, TopicDefinition | undefined>();
const MAX_REMEMBERED = 10_000;

/** The catalog entry a concrete topic name belongs to, or undefined (dead letters, strangers). */
export function catalogEntryFor(topic: string): TopicDefinition | undefined {
  if (entries.has(topic)) return entries.get(topic);
  const entry = findCatalogEntry(topic);
  if (entries.size >= MAX_REMEMBERED) entries.clear();
  entries.set(topic, entry);
  return entry;
}

function findCatalogEntry(topic: string): TopicDefinition | undefined {
  if (topic.startsWith(DEAD_LETTER_PREFIX)) return undefined;
  return topicCatalog.find((def) => {
    if (def.family === "single") return def.name === topic;
    const prefix = familyPrefix(def.name);
    const suffix = def.name.slice(def.name.indexOf("}") + 1);
    const middle = topic.slice(prefix.length, topic.length - suffix.length);
    return (
      topic.startsWith(prefix) &&
      topic.endsWith(suffix) &&
      topic.length > prefix.length + suffix.length &&
      !middle.includes(".")
    );
  });
}

/**
 * The message key of an envelope on `topic`: the catalog's key field, read from the payload
 * (e.g. `conversation_id` on chat.messages.<tenant>) or else from the envelope (`tenant_id`
 * on audit.log). Keys decide the partition, and so the per-key order.
 */
export function messageKeyFor(topic: string, envelope: Envelope): string {
  const entry = catalogEntryFor(topic);
  if (entry === undefined) throw new Error(`"${topic}" is not a topic of the catalog`);
  if (!entry.events.includes(envelope.type)) {
    throw new Error(
      `event type ${envelope.type} does not belong on ${topic} (allowed: ${entry.events.join(", ")})`,
    );
  }
  const payload = envelope.payload as Record<string, unknown>;
  const fromPayload = payload[entry.key];
  const fromEnvelope = (envelope as unknown as Record<string, unknown>)[entry.key];
  const key = typeof fromPayload === "string" ? fromPayload : fromEnvelope;
  if (typeof key !== "string" || key === "") {
    throw new Error(`${envelope.type} on ${topic} has no ${entry.key} to use as the message key`);
  }
  return key;
}
