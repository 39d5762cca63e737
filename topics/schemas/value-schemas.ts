import { z } from "zod";
import { topicCatalog } from "../catalog.ts";
import { envelopeFields } from "../events/envelope.ts";
import { eventSchemas, isCatalogEventType } from "../events/registry.ts";
import type { TopicDefinition } from "../types.ts";

/**
 * The registry schema of a catalog topic's values, generated from the one zod source of the
 * envelope (topics/events/envelope.ts) and of every payload (topics/events/): JSON Schema
 * (draft-07) for an envelope whose `type`, `version` and `payload` are one of the topic's event
 * types at one of its versions. Closed objects (`additionalProperties: false`, from zod's
 * strict objects): under BACKWARD a new optional field is then compatible, where Apicurio
 * would reject it on an open schema (docs/decisions/0012-schema-registry.md). Pure: zod only.
 */
export type JsonSchema = Record<string, unknown>;

/** The zod schema of one topic's values: the envelope narrowed to the topic's events. */
export function topicValueZodSchema(def: Pick<TopicDefinition, "name" | "events">): z.ZodType {
  const variants: z.ZodType[] = [];
  for (const type of [...def.events].sort()) {
    if (!isCatalogEventType(type)) {
      throw new Error(`topic ${def.name}: event type ${type} has no payload schema`);
    }
    const versions: Readonly<Record<number, z.ZodType>> = eventSchemas[type].versions;
    for (const [version, payload] of Object.entries(versions).sort(
      ([a], [b]) => Number(a) - Number(b),
    )) {
      variants.push(
        z.strictObject({
          id: envelopeFields.id,
          type: z.literal(type),
          timestamp: envelopeFields.timestamp,
          tenant_id: envelopeFields.tenant_id,
          version: z.literal(Number(version)),
          payload,
          metadata: envelopeFields.metadata,
        }),
      );
    }
  }
  const [first, ...rest] = variants;
  if (first === undefined) throw new Error(`topic ${def.name} lists no event types`);
  return rest.length === 0 ? first : z.union([first, ...rest]);
}

const cache = new Map<string, JsonSchema>();

/** JSON Schema of a catalog entry's values (per-tenant topics share their entry's schema). */
export function topicValueJsonSchema(
  def: Pick<TopicDefinition, "name" | "events" | "description">,
): JsonSchema {
  const key = `${def.name}\u0000${def.events.join(",")}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const generated = z.toJSONSchema(topicValueZodSchema(def), {
    target: "draft-7",
    io: "output",
  }) as JsonSchema;
  const schema: JsonSchema = {
    ...generated,
    title: `${def.name} value`,
    description: `Envelope on ${def.name}: ${def.description}`,
  };
  cache.set(key, schema);
  return schema;
}

/** The catalog entry a value schema comes from, by template name. */
export function catalogEntry(template: string): TopicDefinition | undefined {
  return (topicCatalog as readonly TopicDefinition[]).find((d) => d.name === template);
}

/**
 * The catalog entry a concrete topic belongs to: a single topic by name, a family by its
 * template (`chat.messages.acme` → `chat.messages.{tenant}`); undefined for anything else
 * (dead-letter and component topics carry no envelope schema).
 */
export function catalogEntryOfTopic(topic: string): TopicDefinition | undefined {
  return (topicCatalog as readonly TopicDefinition[]).find((d) => {
    const at = d.name.indexOf("{");
    if (at < 0) return d.name === topic;
    const head = d.name.slice(0, at);
    const tail = d.name.slice(d.name.indexOf("}") + 1);
    const middle = topic.slice(head.length, topic.length - tail.length);
    return (
      topic.startsWith(head) &&
      topic.endsWith(tail) &&
      topic.length > head.length + tail.length &&
      /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(middle)
    );
  });
}
