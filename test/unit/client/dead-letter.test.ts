import { describe, expect, it } from "vitest";
import { deadLetterFor, decodeRecord } from "../../../client/consumer.ts";
import { catalogEntryFor, createEnvelope, encodeEnvelope } from "../../../client/envelope.ts";

const source = {
  topic: "chat.messages.acme",
  partition: 7,
  offset: "1234",
  key: Buffer.from("conv-1"),
  value: Buffer.from("{}"),
  timestamp: "1763892000000",
  headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
};

describe("dead-letter headers", () => {
  it("keeps the original headers and adds where the message came from and why it died", () => {
    const { headers } = deadLetterFor(source, new Error("boom"), 5, "search-indexer");
    expect(headers).toEqual({
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "x-dlq-original-topic": "chat.messages.acme",
      "x-dlq-original-partition": "7",
      "x-dlq-original-offset": "1234",
      "x-dlq-original-timestamp": "1763892000000",
      "x-dlq-error": "Error: boom",
      "x-dlq-attempts": "5",
      "x-dlq-service": "search-indexer",
    });
  });

  it("caps a huge error text so the record stays small", () => {
    const { headers } = deadLetterFor(source, "e".repeat(10_000), 1, "s");
    expect(headers["x-dlq-error"]).toHaveLength(2_000);
  });

  it("a dead letter keeps the record's key, value and headers", () => {
    const record = {
      topic: "chat.messages.acme",
      partition: 2,
      offset: "41",
      key: Buffer.from("conv-1"),
      value: Buffer.from("{not json"),
      timestamp: "1700000000000",
      headers: { traceparent: "t" },
    };
    const letter = deadLetterFor(record, new TypeError("boom"), 3, "search-indexer");
    expect(letter.key).toBe(record.key);
    expect(letter.value).toBe(record.value);
    expect(letter.headers).toMatchObject({
      traceparent: "t",
      "x-dlq-original-topic": "chat.messages.acme",
      "x-dlq-original-partition": "2",
      "x-dlq-original-offset": "41",
      "x-dlq-original-timestamp": "1700000000000",
      "x-dlq-error": "TypeError: boom",
      "x-dlq-attempts": "3",
      "x-dlq-service": "search-indexer",
    });
  });

  it("calls a record poison when it is not JSON or its event type does not belong on its topic", async () => {
    const record = (topic: string, value: string) => ({
      topic,
      partition: 0,
      offset: "0",
      key: null,
      value: Buffer.from(value),
      timestamp: "0",
      headers: {},
    });
    expect(
      ((await decodeRecord(record("chat.messages.acme", "{not json"))) as Error).message,
    ).toMatch(/^cannot decode message: .*not JSON/);
    const audit = encodeEnvelope(
      createEnvelope({
        type: "audit.recorded",
        tenantId: "acme",
        source: "auth-service",
        payload: {
          actor_id: "u1",
          action: "login",
          target: "session",
          outcome: "success",
          recorded_at: new Date().toISOString(),
        },
      }),
    );
    const wrong = await decodeRecord(record("chat.messages.acme", audit.value.toString()));
    expect((wrong as Error).message).toBe(
      "event type audit.recorded does not belong on chat.messages.acme",
    );
    expect(await decodeRecord(record("audit.log", audit.value.toString()))).toMatchObject({
      type: "audit.recorded",
    });
  });
});

describe("catalog entry of a concrete topic name", () => {
  it("matches families by their placeholder segment only", () => {
    expect(catalogEntryFor("chat.messages.acme")?.name).toBe("chat.messages.{tenant}");
    expect(catalogEntryFor("internal.auth-service.commands")?.name).toBe(
      "internal.{service}.commands",
    );
    expect(catalogEntryFor("audit.log")?.name).toBe("audit.log");
    expect(catalogEntryFor("chat.messages.")).toBeUndefined();
    expect(catalogEntryFor("internal.a.b.commands")).toBeUndefined();
    expect(catalogEntryFor("dlq.search-indexer")).toBeUndefined();
  });
});
