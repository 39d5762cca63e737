/**
 * The Schema Registry from a service's side (docs/schema-registry.md): the Confluent-compatible
 * API of Apicurio Registry (`/apis/ccompat/v7`) over plain `fetch`, the registry wire format
 * (magic byte 0, 4-byte big-endian schema id, then the JSON envelope), and the id caches a
 * producer and a consumer keep. No dependency beyond Node: the API calls are six JSON requests,
 * and validation stays with the zod schemas the registry's schemas are generated from
 * (topics/schemas/), so the serde of @confluentinc/schemaregistry (ajv, its own HTTP stack)
 * would add a second validator without adding a check (decision 0012).
 */

import { valueSubject } from "../topics/compatibility.ts";
import { JSON_CODEC, type EncodedEnvelope, type EnvelopeCodec } from "./envelope.ts";
import { catalogEntryOfTopic, topicValueJsonSchema } from "../topics/schemas/value-schemas.ts";

/** First byte of every value in the registry wire format. */
export const WIRE_MAGIC_BYTE = 0;
/** Magic byte + 4-byte schema id. */
export const WIRE_HEADER_BYTES = 5;

/** Prefixes `payload` with the wire header for `schemaId`. */
export function encodeWire(schemaId: number, payload: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id ${schemaId} is not a 32-bit unsigned integer`);
  }
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + payload.length);
  out.writeUInt8(WIRE_MAGIC_BYTE, 0);
  out.writeUInt32BE(schemaId, 1);
  payload.copy(out, WIRE_HEADER_BYTES);
  return out;
}

/**
 * Splits a value in the wire format; undefined when it does not start with the magic byte
 * (a plain JSON envelope starts with `{`), so readers can take both during a migration.
 */
export function decodeWire(value: Buffer): { schemaId: number; payload: Buffer } | undefined {
  if (value.length < WIRE_HEADER_BYTES || value[0] !== WIRE_MAGIC_BYTE) return undefined;
  return { schemaId: value.readUInt32BE(1), payload: value.subarray(WIRE_HEADER_BYTES) };
}

export type SchemaRegistryErrorKind =
  /** No answer within the timeout, connection refused, DNS: the registry is not reachable. */
  | "unreachable"
  /** Subject, version or schema id not found. */
  | "not-found"
  /** The registry refused the schema under the subject's compatibility (409). */
  | "incompatible"
  /** Anything else the registry answered with (4xx/5xx). */
  | "http";

export class SchemaRegistryError extends Error {
  constructor(
    readonly kind: SchemaRegistryErrorKind,
    message: string,
    readonly status?: number,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = "SchemaRegistryError";
  }
}

export interface SchemaRegistryOptions {
  /** Base URL of the Confluent-compatible API, such as http://127.0.0.1:23030/apis/ccompat/v7. */
  readonly url: string;
  /** Per request; default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Attempts for an unreachable registry or a 5xx (default 3), with doubling backoff from 100 ms. */
  readonly attempts?: number;
  readonly fetch?: typeof fetch;
}

export interface RegisteredSchema {
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

interface ErrorBody {
  error_code?: number;
  message?: string;
}

const JSON_CONTENT = "application/vnd.schemaregistry.v1+json";

/** A thin client of the ccompat API: every call names the URL in its errors. */
export class SchemaRegistryClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: SchemaRegistryOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let last: SchemaRegistryError | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 2)));
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.url}${path}`, {
          method,
          headers: { accept: JSON_CONTENT, "content-type": JSON_CONTENT },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const cause = error instanceof Error ? (error.cause ?? error) : error;
        const reason =
          error instanceof Error && error.name === "TimeoutError"
            ? `no answer within ${this.timeoutMs} ms`
            : cause instanceof Error
              ? cause.message
              : String(cause);
        last = new SchemaRegistryError(
          "unreachable",
          `cannot reach the Schema Registry at ${this.url} (${method} ${path}): ${reason}`,
        );
        continue;
      }
      const text = await response.text();
      if (response.ok) return (text === "" ? undefined : JSON.parse(text)) as T;
      let parsed: ErrorBody;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
      const detail =
        `${method} ${this.url}${path}: ${response.status} ${parsed.message ?? ""}`.trim();
      if (response.status === 404) {
        throw new SchemaRegistryError("not-found", detail, 404, parsed.error_code);
      }
      if (response.status === 409) {
        throw new SchemaRegistryError("incompatible", detail, 409, parsed.error_code);
      }
      last = new SchemaRegistryError("http", detail, response.status, parsed.error_code);
      if (response.status < 500) throw last;
    }
    throw last ?? new SchemaRegistryError("unreachable", `cannot reach ${this.url}`);
  }

  /** The id and version `schema` has under `subject`, or undefined when it is not registered. */
  async lookup(subject: string, schema: string): Promise<RegisteredSchema | undefined> {
    try {
      const r = await this.request<{ id: number; version: number; schema: string }>(
        "POST",
        `/subjects/${encodeURIComponent(subject)}`,
        { schemaType: "JSON", schema },
      );
      return { id: r.id, version: r.version, schema: r.schema ?? schema };
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  /** Registers `schema` under `subject` (the same schema again returns the same id). */
  async register(subject: string, schema: string): Promise<number> {
    const r = await this.request<{ id: number }>(
      "POST",
      `/subjects/${encodeURIComponent(subject)}/versions`,
      { schemaType: "JSON", schema },
    );
    return r.id;
  }

  /** The schema text of a global id; throws `not-found` for an id the registry does not know. */
  async schemaById(id: number): Promise<string> {
    const r = await this.request<{ schema: string }>("GET", `/schemas/ids/${id}`);
    return r.schema;
  }

  /** The latest version of `subject`, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    try {
      const r = await this.request<{ id: number; version: number; schema: string }>(
        "GET",
        `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      );
      return { id: r.id, version: r.version, schema: r.schema };
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  async subjects(): Promise<string[]> {
    return this.request<string[]>("GET", "/subjects");
  }

  /** The subject's own compatibility setting, or undefined when it follows the global one. */
  async compatibility(subject: string): Promise<string | undefined> {
    try {
      const r = await this.request<{ compatibilityLevel?: string; compatibility?: string }>(
        "GET",
        `/config/${encodeURIComponent(subject)}`,
      );
      return r.compatibilityLevel ?? r.compatibility;
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  async setCompatibility(subject: string, mode: string): Promise<void> {
    await this.request("PUT", `/config/${encodeURIComponent(subject)}`, { compatibility: mode });
  }

  /** The registry's own verdict on `schema` against the subject's latest version. */
  async checkCompatibility(
    subject: string,
    schema: string,
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const r = await this.request<{ is_compatible: boolean; messages?: string[] }>(
      "POST",
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schemaType: "JSON", schema },
    );
    return { compatible: r.is_compatible, messages: r.messages ?? [] };
  }
}

/**
 * Producer side: the id of each subject's current schema, looked up once and then reused.
 * Schemas are registered by `npm run schemas -- register` (CI), not by producers; a subject
 * whose schema is not registered is an error naming the subject.
 */
export class ProducerSchemaIds {
  private readonly ids = new Map<string, number>();
  private readonly pending = new Map<string, Promise<number>>();

  constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly schemaFor: (subject: string) => string,
  ) {}

  /** The cached id, or undefined before the first lookup (then call `resolve`). */
  cached(subject: string): number | undefined {
    return this.ids.get(subject);
  }

  async resolve(subject: string): Promise<number> {
    const hit = this.ids.get(subject);
    if (hit !== undefined) return hit;
    let p = this.pending.get(subject);
    if (p === undefined) {
      p = this.registry.lookup(subject, this.schemaFor(subject)).then((found) => {
        if (found === undefined) {
          throw new SchemaRegistryError(
            "not-found",
            `subject ${subject} has no registered version of this schema at ${this.registry.url}: run npm run schemas -- register`,
          );
        }
        this.ids.set(subject, found.id);
        return found.id;
      });
      this.pending.set(subject, p);
      p.finally(() => this.pending.delete(subject)).catch(() => {});
    }
    return p;
  }
}

/**
 * Consumer side: which schema ids are known (cached for good, since an id never changes
 * meaning). `resolve` throws `not-found` for an unknown id and `unreachable` when the registry
 * cannot be asked; the consumer dead-letters the record with that reason.
 */
export class ConsumerSchemaIds {
  private readonly schemas = new Map<number, string>();

  constructor(private readonly registry: SchemaRegistryClient) {}

  cached(id: number): string | undefined {
    return this.schemas.get(id);
  }

  async resolve(id: number): Promise<string> {
    const hit = this.schemas.get(id);
    if (hit !== undefined) return hit;
    const schema = await this.registry.schemaById(id);
    this.schemas.set(id, schema);
    return schema;
  }
}

/** Why a record could not be decoded through the registry: the reason a dead letter carries. */
export class SchemaIdError extends Error {
  constructor(
    readonly kind: "unknown-schema-id" | "registry-unreachable",
    readonly schemaId: number,
    message: string,
  ) {
    super(message);
    this.name = "SchemaIdError";
  }
}

/**
 * The codec a producer and a consumer of the module use: `encode` prefixes an envelope's JSON
 * with the id of its topic's registered schema (looked up once per subject, then cached);
 * `decode` strips the header after resolving the id (once per id), and passes plain JSON
 * through so consumers read both forms while producers migrate.
 */
export class RegistryEnvelopeCodec {
  readonly registry: SchemaRegistryClient;
  private readonly producerIds: ProducerSchemaIds;
  private readonly consumerIds: ConsumerSchemaIds;

  constructor(registry: SchemaRegistryClient | SchemaRegistryOptions) {
    this.registry =
      registry instanceof SchemaRegistryClient ? registry : new SchemaRegistryClient(registry);
    this.producerIds = new ProducerSchemaIds(this.registry, (subject) => {
      const topic = subject.replace(/-value$/, "");
      const def = catalogEntryOfTopic(topic);
      if (def === undefined) throw new Error(`topic ${topic} has no schema in the catalog`);
      return JSON.stringify(topicValueJsonSchema(def));
    });
    this.consumerIds = new ConsumerSchemaIds(this.registry);
  }

  /** The wire form of `json` on `topic`; synchronous once the subject's id is cached. */
  encodeCached(topic: string, json: Buffer): Buffer | undefined {
    const id = this.producerIds.cached(valueSubject(topic));
    return id === undefined ? undefined : encodeWire(id, json);
  }

  async encode(topic: string, json: Buffer): Promise<Buffer> {
    return (
      this.encodeCached(topic, json) ??
      encodeWire(await this.producerIds.resolve(valueSubject(topic)), json)
    );
  }

  /**
   * The JSON bytes of a value, with the schema id it was written with (undefined for plain
   * JSON). Throws SchemaIdError for an id the registry does not know or cannot be asked about.
   */
  async decode(value: Buffer): Promise<{ json: Buffer; schemaId?: number }> {
    const wire = decodeWire(value);
    if (wire === undefined) return { json: value };
    if (this.consumerIds.cached(wire.schemaId) === undefined) {
      try {
        await this.consumerIds.resolve(wire.schemaId);
      } catch (error) {
        if (!(error instanceof SchemaRegistryError)) throw error;
        throw new SchemaIdError(
          error.kind === "not-found" ? "unknown-schema-id" : "registry-unreachable",
          wire.schemaId,
          error.kind === "not-found"
            ? `schema id ${wire.schemaId} is unknown to the Schema Registry at ${this.registry.url}`
            : `schema id ${wire.schemaId} could not be resolved: ${error.message}`,
        );
      }
    }
    return { json: wire.payload, schemaId: wire.schemaId };
  }
}

/**
 * The module's EnvelopeCodec in the registry wire format (KafkaClientOptions.codec): producers
 * write the JSON envelope behind the header of their topic's registered schema id; consumers
 * resolve the id, strip the header and validate as before. An unknown id, a registry still
 * unreachable after its attempts, or a payload that does not match its schema makes the
 * record poison: the consumer dead-letters it at once with the reason in `x-dlq-error` and
 * goes on, so nothing is lost and the partition is not blocked.
 */
export function schemaRegistryCodec(
  registry: SchemaRegistryClient | SchemaRegistryOptions,
): EnvelopeCodec & { readonly codec: RegistryEnvelopeCodec } {
  const codec = new RegistryEnvelopeCodec(registry);
  const wrap = (
    topic: string,
    encoded: EncodedEnvelope,
  ): EncodedEnvelope | Promise<EncodedEnvelope> => {
    const cached = codec.encodeCached(topic, encoded.value);
    if (cached !== undefined) return { value: cached, headers: encoded.headers };
    return codec
      .encode(topic, encoded.value)
      .then((value) => ({ value, headers: encoded.headers }));
  };
  return {
    codec,
    encode(topic, envelope) {
      const encoded = JSON_CODEC.encode(topic, envelope);
      return encoded instanceof Promise
        ? encoded.then((e) => wrap(topic, e))
        : wrap(topic, encoded);
    },
    async decode(topic, value, headers) {
      const json = value === null ? null : (await codec.decode(value)).json;
      return JSON_CODEC.decode(topic, json, headers);
    },
  };
}
