import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  isCatalogEventType,
  latestVersionOf,
  payloadSchemaFor,
  type CatalogEventType,
  type EventPayload,
  type EventPayloadInput,
} from "../topics/events/registry.ts";
import { TRACEPARENT_HEADER, formatTraceparent, parseTraceparent } from "./trace-context.ts";

/** The content type of every envelope this module writes. */
export const ENVELOPE_CONTENT_TYPE = "application/vnd.kafka-platform.envelope+json; version=1";
export const CONTENT_TYPE_HEADER = "content-type";

const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The envelope around every payload (seed 2.2); the payload itself is checked per type/version. */
export const envelopeSchema = z.strictObject({
  id: z.uuid(),
  type: z.string().refine(isCatalogEventType, { message: "is not an event type of the catalog" }),
  timestamp: z.iso.datetime({ offset: true }),
  tenant_id: z.string().regex(SEGMENT, { message: "must be a lowercase tenant segment" }),
  version: z.int().min(1),
  payload: z.unknown(),
  metadata: z.strictObject({
    source: z.string().min(1),
    correlation_id: z.string().min(1),
    trace_id: z.string().regex(/^[0-9a-f]{32}$/, { message: "must be 32 lowercase hex digits" }),
  }),
});

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

/** Thrown when bytes or fields are not a valid envelope; `path` names the offending field. */
export class EnvelopeError extends Error {
  readonly issues: readonly { path: string; message: string }[];
  constructor(what: string, issues: readonly { path: string; message: string }[]) {
    super(`${what}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "EnvelopeError";
    this.issues = issues;
  }
}

function zodIssues(error: z.ZodError, prefix = ""): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message: i.message,
  }));
}

/** Envelopes this module built or decoded and validated; encoding them again skips the check. */
const validated = new WeakSet<object>();

function validate(raw: unknown, what: string): Envelope {
  const outer = envelopeSchema.safeParse(raw);
  if (!outer.success) throw new EnvelopeError(what, zodIssues(outer.error));
  const env = outer.data;
  const schema = payloadSchemaFor(env.type, env.version);
  if (schema === undefined) {
    throw new EnvelopeError(what, [
      { path: "version", message: `${env.type} has no payload schema version ${env.version}` },
    ]);
  }
  const payload = schema.safeParse(env.payload);
  if (!payload.success) throw new EnvelopeError(what, zodIssues(payload.error, "payload"));
  const envelope = Object.freeze({ ...env, payload: payload.data }) as Envelope;
  validated.add(envelope);
  return envelope;
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

/** Builds and validates an envelope at the event type's latest payload version. */
export function createEnvelope<E extends CatalogEventType>(input: NewEnvelope<E>): Envelope<E> {
  const id = input.id ?? randomUUID();
  const raw = {
    id,
    type: input.type,
    timestamp: (input.timestamp ?? new Date()).toISOString(),
    tenant_id: input.tenantId,
    version: latestVersionOf(input.type),
    payload: input.payload,
    metadata: {
      source: input.source,
      correlation_id: input.correlationId ?? id,
      trace_id: input.traceId ?? randomUUID().replaceAll("-", ""),
    },
  };
  return validate(raw, `cannot create ${input.type} envelope`) as Envelope<E>;
}

export type Headers = Record<string, string>;

export interface EncodedEnvelope {
  readonly value: Buffer;
  readonly headers: Headers;
}

/** Validates and serialises an envelope; headers carry the content type and W3C traceparent. */
export function encodeEnvelope(envelope: Envelope, spanId?: string): EncodedEnvelope {
  const checked = validated.has(envelope)
    ? envelope
    : validate(envelope, `cannot encode ${String(envelope.type)} envelope`);
  return {
    value: Buffer.from(JSON.stringify(checked)),
    headers: {
      [CONTENT_TYPE_HEADER]: ENVELOPE_CONTENT_TYPE,
      [TRACEPARENT_HEADER]: formatTraceparent(checked.metadata.trace_id, spanId),
    },
  };
}

/**
 * Parses and validates bytes read from Kafka. Throws EnvelopeError for anything that is not a
 * valid envelope: wrong content type, bad JSON, bad fields, unknown type/version, bad payload,
 * or a traceparent whose trace id disagrees with the envelope's.
 */
export function decodeEnvelope(value: Buffer | null | undefined, headers: Headers = {}): Envelope {
  const contentType = headers[CONTENT_TYPE_HEADER];
  if (contentType !== undefined && contentType !== ENVELOPE_CONTENT_TYPE) {
    throw new EnvelopeError("cannot decode message", [
      { path: `headers.${CONTENT_TYPE_HEADER}`, message: `unsupported "${contentType}"` },
    ]);
  }
  if (value === null || value === undefined || value.length === 0) {
    throw new EnvelopeError("cannot decode message", [{ path: "", message: "value is empty" }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString("utf8"));
  } catch (error) {
    throw new EnvelopeError("cannot decode message", [
      { path: "", message: `not JSON (${(error as Error).message})` },
    ]);
  }
  const envelope = validate(raw, "cannot decode message");
  const traceparent = headers[TRACEPARENT_HEADER];
  if (traceparent !== undefined) {
    const parsed = parseTraceparent(traceparent);
    if (parsed === undefined || parsed.traceId !== envelope.metadata.trace_id) {
      throw new EnvelopeError("cannot decode message", [
        { path: `headers.${TRACEPARENT_HEADER}`, message: "does not match metadata.trace_id" },
      ]);
    }
  }
  return envelope;
}
