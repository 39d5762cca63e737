import { randomUUID } from "node:crypto";
import { z } from "zod";
import { topicCatalog } from "../topics/catalog.ts";
import {
  isCatalogEventType,
  latestVersionOf,
  payloadSchemaFor,
  type CatalogEventType,
  type EventPayload,
  type EventPayloadInput,
} from "../topics/events/registry.ts";
import { envelopeSchema } from "../topics/events/envelope.ts";
import { DEAD_LETTER_PREFIX } from "../topics/policy.ts";
import { familyPrefix } from "../topics/templates.ts";
import type { TopicDefinition } from "../topics/types.ts";

/** The content type of every envelope this module writes. */
export const ENVELOPE_CONTENT_TYPE = "application/vnd.kafka-platform.envelope+json; version=1";
export const CONTENT_TYPE_HEADER = "content-type";
/** W3C Trace Context (https://www.w3.org/TR/trace-context/) as a Kafka header. */
export const TRACEPARENT_HEADER = "traceparent";

const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface EnvelopeMetadata {
  readonly source: string;
  readonly correlation_id: string;
  readonly trace_id: string;
}

/** A decoded, validated envelope; `payload` is typed by `type`. */
export type Envelope<E extends CatalogEventType = CatalogEventType> = {
  [T in E]: {
    readonly id: string;
    readonly type: T;
    readonly timestamp: string;
    readonly tenant_id: string;
    readonly version: number;
    readonly payload: EventPayload<T>;
    readonly metadata: EnvelopeMetadata;
  };
}[E];

type Issue = { path: string; message: string };

/** Thrown when bytes or fields are not a valid envelope; `path` names the offending field. */
export class EnvelopeError extends Error {
  constructor(
    what: string,
    readonly issues: readonly Issue[],
  ) {
    super(`${what}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "EnvelopeError";
  }
}

const zodIssues = (error: z.ZodError, prefix?: string): Issue[] =>
  error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== undefined).join("."),
    message: i.message,
  }));

/**
 * Checks the payload (defaults applied) against its type's schema, puts the parsed payload in
 * place and freezes the envelope: `env` must be a fresh object of the caller's own.
 */
function withPayload(env: { type: string; version: number; payload: unknown }, what: string) {
  const schema = payloadSchemaFor(env.type, env.version);
  if (schema === undefined) {
    throw new EnvelopeError(what, [
      { path: "version", message: `${env.type} has no payload schema version ${env.version}` },
    ]);
  }
  const payload = schema.safeParse(env.payload);
  if (!payload.success) throw new EnvelopeError(what, zodIssues(payload.error, "payload"));
  env.payload = payload.data;
  return Object.freeze(env) as Envelope;
}

function validate(raw: unknown, what: string): Envelope {
  const outer = envelopeSchema.safeParse(raw);
  if (!outer.success) throw new EnvelopeError(what, zodIssues(outer.error));
  return withPayload(outer.data, what);
}

export interface NewEnvelope<E extends CatalogEventType> {
  readonly type: E;
  readonly tenantId: string;
  readonly payload: EventPayloadInput<E>;
  readonly source: string;
  readonly correlationId?: string;
  readonly traceId?: string;
  readonly id?: string;
  readonly timestamp?: Date;
}

/** Adds the issue `path: message` to `issues` unless `passed`. */
function ok(issues: Issue[], passed: boolean, path: string, message: string): void {
  if (!passed) issues.push({ path, message });
}

/**
 * Builds an envelope at the event type's latest payload version. The fields it fills itself
 * are valid by construction; the ones given are checked, the payload against its schema.
 */
export function createEnvelope<E extends CatalogEventType>(input: NewEnvelope<E>): Envelope<E> {
  const what = `cannot create ${String(input.type)} envelope`;
  const id = input.id ?? randomUUID();
  const metadata = {
    source: input.source,
    correlation_id: input.correlationId ?? id,
    trace_id: input.traceId ?? randomUUID().replaceAll("-", ""),
  };
  const bad: Issue[] = [];
  ok(bad, isCatalogEventType(input.type), "type", "is not an event type of the catalog");
  ok(bad, SEGMENT.test(input.tenantId), "tenant_id", "must be a lowercase tenant segment");
  ok(bad, TRACE_ID.test(metadata.trace_id), "metadata.trace_id", "must be 32 lowercase hex digits");
  ok(bad, input.source !== "" && metadata.correlation_id !== "", "metadata", "has an empty field");
  ok(bad, input.id === undefined || z.uuid().safeParse(id).success, "id", "is not a UUID");
  if (bad.length > 0) throw new EnvelopeError(what, bad);
  const envelope = {
    id,
    type: input.type,
    timestamp: (input.timestamp ?? new Date()).toISOString(),
    tenant_id: input.tenantId,
    version: latestVersionOf(input.type),
    payload: input.payload,
    metadata,
  };
  return withPayload(envelope, what) as Envelope<E>;
}

export type Headers = Record<string, string>;

export interface EncodedEnvelope {
  readonly value: Buffer;
  readonly headers: Headers;
}

/** `00-<trace id>-<span id>-01`; a fresh span id when none is given. */
export function formatTraceparent(traceId: string, spanId?: string, sampled = true): string {
  // randomUUID draws from a cached entropy pool: far cheaper per call than randomBytes(8).
  // Its first and last 8 hex digits are random (no version or variant bits).
  const uuid = spanId === undefined ? randomUUID() : "";
  const span = spanId ?? uuid.slice(0, 8) + uuid.slice(28);
  return `00-${traceId}-${span}-${sampled ? "01" : "00"}`;
}

/** Undefined for anything that is not a version-00 traceparent with non-zero ids. */
export function parseTraceparent(
  header: string,
): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, traceId = "", spanId = "", flags = "00"] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

function serialise(envelope: Envelope, spanId?: string): EncodedEnvelope {
  return {
    value: Buffer.from(JSON.stringify(envelope)),
    headers: {
      [CONTENT_TYPE_HEADER]: ENVELOPE_CONTENT_TYPE,
      [TRACEPARENT_HEADER]: formatTraceparent(envelope.metadata.trace_id, spanId),
    },
  };
}

/** Validates and serialises an envelope; headers carry the content type and W3C traceparent. */
export function encodeEnvelope(envelope: Envelope, spanId?: string): EncodedEnvelope {
  return serialise(validate(envelope, `cannot encode ${String(envelope.type)} envelope`), spanId);
}

/**
 * Parses and validates bytes read from Kafka. Throws EnvelopeError for anything that is not a
 * valid envelope: wrong content type, bad JSON, bad fields, unknown type/version, bad payload,
 * or a traceparent whose trace id disagrees with the envelope's.
 */
export function decodeEnvelope(value: Buffer | null | undefined, headers: Headers = {}): Envelope {
  const what = "cannot decode message";
  const contentType = headers[CONTENT_TYPE_HEADER];
  if (contentType !== undefined && contentType !== ENVELOPE_CONTENT_TYPE) {
    const path = `headers.${CONTENT_TYPE_HEADER}`;
    throw new EnvelopeError(what, [{ path, message: `unsupported "${contentType}"` }]);
  }
  if (value === null || value === undefined || value.length === 0) {
    throw new EnvelopeError(what, [{ path: "", message: "value is empty" }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString("utf8"));
  } catch (error) {
    throw new EnvelopeError(what, [
      { path: "", message: `not JSON (${(error as Error).message})` },
    ]);
  }
  const envelope = validate(raw, what);
  const traceparent = headers[TRACEPARENT_HEADER];
  if (
    traceparent !== undefined &&
    parseTraceparent(traceparent)?.traceId !== envelope.metadata.trace_id
  ) {
    throw new EnvelopeError(what, [
      { path: `headers.${TRACEPARENT_HEADER}`, message: "does not match metadata.trace_id" },
    ]);
  }
  return envelope;
}

/**
 * How envelopes become record values and back: the producer encodes the envelopes it built
 * (and validated), consumers decode and validate what they read. JSON by default; a Schema
 * Registry codec can take its place (KafkaClientOptions.codec).
 */
export interface EnvelopeCodec {
  encode(topic: string, envelope: Envelope): EncodedEnvelope | Promise<EncodedEnvelope>;
  /** The validated envelope, or an EnvelopeError thrown (the record is then poison). */
  decode(topic: string, value: Buffer | null, headers: Headers): Envelope | Promise<Envelope>;
}

export const JSON_CODEC: EnvelopeCodec = {
  encode: (_topic, envelope) => serialise(envelope),
  decode: (_topic, value, headers) => decodeEnvelope(value, headers),
};

/** Lookups by topic name; the catalog does not change while a process runs. */
const entries = new Map<string, TopicDefinition | undefined>();

/** The catalog entry a concrete topic name belongs to, or undefined (dead letters, strangers). */
export function catalogEntryFor(topic: string): TopicDefinition | undefined {
  if (entries.has(topic)) return entries.get(topic);
  const entry = topic.startsWith(DEAD_LETTER_PREFIX)
    ? undefined
    : topicCatalog.find((def) => {
        if (def.family === "single") return def.name === topic;
        const prefix = familyPrefix(def.name);
        const suffix = def.name.slice(def.name.indexOf("}") + 1);
        const middle = topic.slice(prefix.length, topic.length - suffix.length);
        return topic.startsWith(prefix) && topic.endsWith(suffix) && /^[^.]+$/.test(middle);
      });
  if (entries.size >= 10_000) entries.clear();
  entries.set(topic, entry);
  return entry;
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
  const fromPayload = (envelope.payload as Record<string, unknown>)[entry.key];
  const key =
    typeof fromPayload === "string"
      ? fromPayload
      : (envelope as unknown as Record<string, unknown>)[entry.key];
  if (typeof key !== "string" || key === "") {
    throw new Error(`${envelope.type} on ${topic} has no ${entry.key} to use as the message key`);
  }
  return key;
}
