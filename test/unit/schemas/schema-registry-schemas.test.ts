import { createServer, type Server } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  SchemaRegistryClient,
  SchemaRegistryError,
  decodeWire,
  encodeWire,
} from "../../../client/schema-registry.ts";
import { REPO_ROOT } from "../../../infra/config/load.ts";
import { main, parseSchemaFile, schemaFileName } from "../../../scripts/schemas.ts";
import { topicCatalog } from "../../../topics/catalog.ts";
import { compatibilityProblems } from "../../../topics/schemas/compatibility-check.ts";
import {
  catalogEntryOfTopic,
  topicValueJsonSchema,
  topicValueZodSchema,
} from "../../../topics/schemas/value-schemas.ts";
import { eventSchemas } from "../../../topics/events/registry.ts";
import { z } from "zod";

const messages = topicCatalog.find((t) => t.name === "chat.messages.{tenant}")!;

describe("schemas as code", () => {
  it("the committed topics/schemas/json files are what the zod sources generate", async () => {
    expect(await main(["check"])).toBe(0);
    const file = join(REPO_ROOT, "topics/schemas/json", schemaFileName(messages.name));
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(topicValueJsonSchema(messages));
  });

  it("one zod source: the value schema accepts an envelope the payload schema accepts, and only that", () => {
    const value = topicValueZodSchema(messages);
    const envelope = {
      id: "6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d",
      type: "chat.message.sent",
      timestamp: "2026-12-07T00:00:00.000Z",
      tenant_id: "acme",
      version: 1,
      payload: {
        conversation_id: "c1",
        message_id: "m1",
        sender_id: "u1",
        text: "hi",
        attachments: [],
        sent_at: "2026-12-07T00:00:00.000Z",
      },
      metadata: { source: "socket-service", correlation_id: "x", trace_id: "a".repeat(32) },
    };
    expect(value.safeParse(envelope).success).toBe(true);
    // A field the payload's zod schema does not have is refused by the value schema too.
    expect(
      value.safeParse({ ...envelope, payload: { ...envelope.payload, extra: 1 } }).success,
    ).toBe(false);
    // An event type of another topic is not a value of this one.
    expect(value.safeParse({ ...envelope, type: "presence.changed" }).success).toBe(false);
  });

  it("an incompatible change names the subject's field and the rule", () => {
    const before = topicValueJsonSchema(messages);
    const sent = eventSchemas["chat.message.sent"].versions[1];
    // The change a reviewer must catch: sent messages shrink from 16 KiB of text to 100 chars,
    // and a new required field appears.
    const narrowed = sent.extend({ text: z.string().max(100), client_id: z.string() });
    const after = z.toJSONSchema(
      z.union([
        topicValueZodSchema({ name: "x", events: ["chat.message.edited", "chat.message.deleted"] }),
        z.strictObject({
          ...(topicValueZodSchema({ name: "x", events: ["chat.message.sent"] }) as z.ZodObject)
            .shape,
          payload: narrowed,
        }),
      ]),
      { target: "draft-7" },
    ) as Record<string, unknown>;
    const problems = compatibilityProblems(before, after, "BACKWARD").map(
      (p) => `${p.path} ${p.rule}`,
    );
    expect(problems).toEqual([
      "[chat.message.sent v1].payload.text max-length-lowered",
      "[chat.message.sent v1].payload.client_id required-field-added",
    ]);
    // Adding an optional field to the closed payload is compatible under BACKWARD.
    const widened = z.toJSONSchema(
      z.union([
        topicValueZodSchema({ name: "x", events: ["chat.message.edited", "chat.message.deleted"] }),
        z.strictObject({
          ...(topicValueZodSchema({ name: "x", events: ["chat.message.sent"] }) as z.ZodObject)
            .shape,
          payload: sent.extend({ client_id: z.string().optional() }),
        }),
      ]),
      { target: "draft-7" },
    ) as Record<string, unknown>;
    expect(compatibilityProblems(before, widened, "BACKWARD")).toEqual([]);
    // ...but not under FORWARD: the old schema refuses the new field.
    expect(
      compatibilityProblems(before, widened, "FORWARD").map((p) => `${p.path} ${p.rule}`),
    ).toEqual(["[chat.message.sent v1].payload.client_id property-removed"]);
  });

  it("a schema file that does not parse is reported with its file and line", () => {
    const text = '{\n  "type": "object",\n  "properties": { "a": } \n}\n';
    expect(() => parseSchemaFile(text, "topics/schemas/json/audit.log.json")).toThrow(
      /^topics\/schemas\/json\/audit\.log\.json:3: does not parse as JSON: /,
    );
    expect(() => parseSchemaFile("[1]", "f.json")).toThrow("f.json:1: is not a JSON Schema object");
  });

  it("the pull-request preview runs the compatibility check against the base branch", () => {
    const wf = parse(readFileSync(join(REPO_ROOT, ".github/workflows/preview.yml"), "utf8")) as {
      jobs: { preview: { steps: { name?: string; run?: string }[] } };
    };
    const step = wf.jobs.preview.steps.find(
      (s) => s.name === "Schema compatibility with the base branch",
    );
    expect(step?.run).toContain("npm run schemas -- check --base FETCH_HEAD");
  });

  it("finds a concrete topic's catalog entry; dead-letter and component topics have none", () => {
    expect(catalogEntryOfTopic("chat.messages.acme")?.name).toBe("chat.messages.{tenant}");
    expect(catalogEntryOfTopic("internal.auth-service.commands")?.name).toBe(
      "internal.{service}.commands",
    );
    expect(catalogEntryOfTopic("audit.log")?.name).toBe("audit.log");
    expect(catalogEntryOfTopic("chat.messages.")).toBeUndefined();
    expect(catalogEntryOfTopic("dlq.audit-service")).toBeUndefined();
    expect(catalogEntryOfTopic("schema-registry.journal")).toBeUndefined();
  });

  it("--help documents every verb; an unknown verb is a usage error", async () => {
    expect(await main(["--help"])).toBe(0);
    expect(await main(["frobnicate"])).toBe(2);
  });
});

describe("registry client", () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it("a registry that accepts connections but never answers fails within the timeout, naming the URL", async () => {
    const server = createServer(() => {
      /* accept, never answer */
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
    const client = new SchemaRegistryClient({ url, timeoutMs: 300, attempts: 2 });
    const started = Date.now();
    const error = await client.schemaById(1).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect((error as SchemaRegistryError).kind).toBe("unreachable");
    expect((error as Error).message).toBe(
      `cannot reach the Schema Registry at ${url} (GET /schemas/ids/1): no answer within 300 ms`,
    );
    // Two attempts of 300 ms and one 100 ms pause: well under two seconds.
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("the wire format is magic byte 0, a 4-byte big-endian id, then the JSON; plain JSON is told apart", () => {
    const payload = Buffer.from('{"a":1}');
    const wire = encodeWire(258, payload);
    expect([...wire.subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
    expect(decodeWire(wire)).toEqual({ schemaId: 258, payload });
    expect(decodeWire(payload)).toBeUndefined();
    expect(() => encodeWire(-1, payload)).toThrow(RangeError);
  });
});
