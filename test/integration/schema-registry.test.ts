import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { randomUUID } from "node:crypto";
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import {
  RegistryEnvelopeCodec,
  SchemaIdError,
  SchemaRegistryClient,
  SchemaRegistryError,
  encodeWire,
} from "../../client/schema-registry.ts";
import { LocalRegistry } from "../../local/registry.ts";
import { createKafkaClient, schemaRegistryCodec } from "../../client/index.ts";
import { main as schemas } from "../../scripts/schemas.ts";
import { DEAD_LETTER_HEADERS, deadLetterTopicFor } from "../../topics/policy.ts";
import { topicCatalog } from "../../topics/catalog.ts";
import { auditRecordedV1 } from "../../topics/events/audit.ts";
import { topicValueJsonSchema, topicValueZodSchema } from "../../topics/schemas/value-schemas.ts";
import { clientOptions, serviceCredential, testClusterControl } from "./support/cluster.ts";
import {
  chatMessageSent,
  connectionFor,
  createTopics,
  freshTenant,
  produceRaw,
  readTopic,
  waitFor,
} from "./client-helpers.ts";

/**
 * Issue 16 on the real thing: Apicurio Registry 3.3.3 (Maven Central, JDK 21+) against the
 * shared test cluster over TLS + SCRAM as the derived user schema-registry, KafkaSQL storage in
 * the catalog's component topics. One registry start and one restart for the whole file.
 */
const registry = new LocalRegistry(testClusterControl());
const client = new SchemaRegistryClient({ url: registry.url, timeoutMs: 10_000 });

/** Runs the schemas CLI in-process, returning its exit status and everything it printed. */
async function run(args: string[]): Promise<{ status: number; out: string }> {
  let out = "";
  const capture = (chunk: string | Uint8Array): boolean => {
    out += String(chunk);
    return true;
  };
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    return { status: await schemas(args), out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const audit = topicCatalog.find((t) => t.name === "audit.log")!;

/** audit.log's value schema with one more optional payload field: BACKWARD compatible. */
function auditWith(field: string): Record<string, unknown> {
  const widened = z.strictObject({
    ...(topicValueZodSchema(audit) as z.ZodObject).shape,
    payload: auditRecordedV1.extend({ [field]: z.string().optional() }),
  });
  return z.toJSONSchema(widened, { target: "draft-7" });
}

beforeAll(async () => {
  await registry.start({ timeoutMs: 150_000 });
}, 160_000);

afterAll(async () => {
  await registry.stop();
});

describe("the Schema Registry on the local cluster", () => {
  it("binds its API and its management port to loopback only", async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    expect(await registry.ready()).toBe(true);
  });

  it("registers every catalog schema, and a second run registers nothing", async () => {
    const first = await run(["register", "--registry", registry.url, "--stack", "dev"]);
    expect(first.status, first.out).toBe(0);
    expect(first.out).toContain(
      "10 subjects: 10 registered, 0 unchanged, 10 compatibility settings set",
    );
    const second = await run(["register", "--registry", registry.url, "--stack", "dev"]);
    expect(second.status, second.out).toBe(0);
    expect(second.out).toContain(
      "10 subjects: 0 registered, 10 unchanged, 0 compatibility settings set",
    );
    // Per-tenant topics share their entry's schema: one id for both tenants' subjects.
    const acme = await client.latest("chat.messages.acme-value");
    const globex = await client.latest("chat.messages.globex-value");
    expect(acme?.id).toBe(globex?.id);
    expect(await client.compatibility("audit.log-value")).toBe("BACKWARD");
  });

  it("rejects an incompatible change, and schemas check names the field", async () => {
    // Incompatible under BACKWARD: dropping the optional `ip` from the closed payload, so data
    // written with it no longer validates. The real registry refuses the new version (409).
    const dropped = z.strictObject({
      ...(topicValueZodSchema(audit) as z.ZodObject).shape,
      payload: auditRecordedV1.omit({ ip: true }),
    });
    const narrowed = z.toJSONSchema(dropped, { target: "draft-7" }) as Record<string, unknown>;
    const refused = await client
      .register("audit.log-value", JSON.stringify(narrowed))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SchemaRegistryError);
    expect((refused as SchemaRegistryError).kind).toBe("incompatible");
    expect((refused as SchemaRegistryError).status).toBe(409);
    // Compatible: an optional field on the closed payload. The registry takes it as version 2,
    // and now the repository's schema (without the field) is the incompatible one: schemas
    // check against the registry fails, naming the subject, the field and the rule.
    await client.register("audit.log-value", JSON.stringify(auditWith("session_id")));
    const current = JSON.stringify(topicValueJsonSchema(audit));
    expect((await client.checkCompatibility("audit.log-value", current)).compatible).toBe(false);
    const check = await run(["check", "--against", registry.url, "--stack", "dev"]);
    expect(check.status).toBe(1);
    expect(check.out).toContain(
      "audit.log-value: payload.session_id: property-removed breaks BACKWARD",
    );
  });

  it("carries schema ids in the wire format over the cluster, cached, and refuses unknown ids", async () => {
    const codec = new RegistryEnvelopeCodec({ url: registry.url, timeoutMs: 10_000 });
    const envelope = {
      id: randomUUID(),
      type: "audit.recorded",
      timestamp: new Date().toISOString(),
      tenant_id: "acme",
      version: 1,
      payload: {
        actor_id: "u1",
        action: "login",
        target: "session",
        outcome: "success",
        recorded_at: new Date().toISOString(),
      },
      metadata: { source: "auth-service", correlation_id: "c1", trace_id: "ab".repeat(16) },
    };
    const json = Buffer.from(JSON.stringify(envelope));
    expect(codec.encodeCached("audit.log", json)).toBeUndefined();
    const value = await codec.encode("audit.log", json);
    const registered = await client.lookup(
      "audit.log-value",
      JSON.stringify(topicValueJsonSchema(audit)),
    );
    expect(value[0]).toBe(0);
    expect(value.readUInt32BE(1)).toBe(registered?.id);
    // Cached: the second encoding needs no registry call.
    expect(codec.encodeCached("audit.log", json)).toEqual(value);

    const producer = new Producer({
      clientId: "schema-registry-test",
      ...clientOptions(serviceCredential("auth-service")),
      acks: ProduceAcks.ALL,
    });
    await producer.send({ messages: [{ topic: "audit.log", key: Buffer.from("acme"), value }] });
    await producer.close();
    const consumer = new Consumer({
      clientId: "schema-registry-test",
      groupId: "audit-service",
      ...clientOptions(serviceCredential("audit-service")),
      autocommit: false,
    });
    let received: Buffer | undefined;
    try {
      const stream = await consumer.consume({
        topics: ["audit.log"],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
      });
      const timer = setTimeout(() => void stream.close(), 60_000);
      for await (const m of stream) {
        if (Buffer.isBuffer(m.value) && m.value.subarray(5).equals(json)) {
          received = m.value;
          break;
        }
      }
      clearTimeout(timer);
      await stream.close().catch(() => {});
    } finally {
      await consumer.close(true).catch(() => {});
    }
    expect(received).toBeDefined();
    const decoded = await codec.decode(received!);
    expect(decoded.schemaId).toBe(registered?.id);
    expect(topicValueZodSchema(audit).parse(JSON.parse(decoded.json.toString("utf8")))).toEqual(
      envelope,
    );
    // Plain JSON still decodes (readers take both forms while producers migrate).
    expect((await codec.decode(json)).schemaId).toBeUndefined();

    const unknown = await codec.decode(encodeWire(987_654, json)).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(SchemaIdError);
    expect((unknown as SchemaIdError).kind).toBe("unknown-schema-id");
    const offline = new RegistryEnvelopeCodec({
      url: "http://127.0.0.1:9/apis/ccompat/v7",
      timeoutMs: 500,
      attempts: 2,
    });
    const unreachable = await offline.decode(value).catch((e: unknown) => e);
    expect((unreachable as SchemaIdError).kind).toBe("registry-unreachable");
  });

  it("the client produces and consumes through the registry; unknown ids and bad payloads are dead-lettered with the reason, and the partition goes on", async () => {
    const tenant = freshTenant("sr");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 1);
    const messages = topicCatalog.find((t) => t.name === "chat.messages.{tenant}")!;
    const id = await client.register(
      `${topic}-value`,
      JSON.stringify(topicValueJsonSchema(messages)),
    );
    const codec = schemaRegistryCodec({ url: registry.url, timeoutMs: 5_000 });
    const handled: string[] = [];
    const consumer = createKafkaClient({
      service: "search-indexer",
      connection: connectionFor("search-indexer"),
      codec,
    }).consumer({
      topics: [topic],
      handler: (envelope) => {
        if (envelope.type === "chat.message.sent") handled.push(envelope.payload.message_id);
        return Promise.resolve();
      },
    });
    void consumer.start();
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
      codec,
    }).producer();
    try {
      const first = await producer.send(topic, chatMessageSent(tenant, "c1", "m-1"));
      const json = Buffer.from(JSON.stringify(first.envelope));
      const header = (schemaId: number): Buffer => encodeWire(schemaId, Buffer.alloc(0));
      await produceRaw(topic, [
        // An id the registry never issued.
        { key: "c1", value: Buffer.concat([header(987_654), json]) },
        // The topic's id, but a payload its schema refuses.
        { key: "c1", value: Buffer.concat([header(id), Buffer.from('{"id":"not-an-envelope"}')]) },
      ]);
      await producer.send(topic, chatMessageSent(tenant, "c1", "m-2"));
      await waitFor(() => handled.includes("m-2"), 60_000, "the message after the bad ones");
      expect(handled).toEqual(["m-1", "m-2"]);

      // What the producer wrote carries the topic's schema id.
      const written = await readTopic(topic, (r) => r.length >= 4);
      expect(written[0]?.value?.subarray(0, 5)).toEqual(header(id));

      const H = DEAD_LETTER_HEADERS;
      const letters = (
        await readTopic(
          deadLetterTopicFor("search-indexer"),
          (r) => r.filter((x) => x.headers[H.originalTopic] === topic).length >= 2,
        )
      ).filter((x) => x.headers[H.originalTopic] === topic);
      expect(letters.map((l) => l.headers[H.originalOffset])).toEqual(["1", "2"]);
      expect(letters[0]?.headers[H.error]).toBe(
        `SchemaIdError: schema id 987654 is unknown to the Schema Registry at ${registry.url}`,
      );
      expect(letters[1]?.headers[H.error]).toMatch(/^EnvelopeError: cannot decode message: /);
      // Nothing lost: the dead letters keep the original bytes, header included.
      expect(letters[0]?.value?.subarray(5).toString()).toBe(json.toString());
    } finally {
      await producer.disconnect();
      await consumer.stop();
    }
  });

  it("keeps every schema and setting across a restart, since its storage is in Kafka", async () => {
    const before = await client.latest("chat.events-value");
    expect(before).toBeDefined();
    await registry.stop();
    expect(registry.running()).toBeUndefined();
    await registry.start({ timeoutMs: 150_000 });
    expect(await client.schemaById(before!.id)).toBe(before!.schema);
    expect(await client.compatibility("chat.events-value")).toBe("BACKWARD");
    expect((await client.latest("audit.log-value"))?.version).toBe(2);
    const again = await run(["register", "--registry", registry.url, "--stack", "dev"]);
    // audit.log-value is the one the previous case made incompatible on purpose.
    expect(again.status, again.out).toBe(0);
    expect(again.out).toContain(
      "10 subjects: 0 registered, 10 unchanged, 0 compatibility settings set",
    );
  }, 200_000);
});
