import { describe, expect, it } from "vitest";
import { deadLetterHeaders, headersToStrings } from "../../../client/dead-letter.ts";
import { catalogEntryFor } from "../../../client/keys.ts";

describe("dead-letter headers", () => {
  it("keeps the original headers and adds where the message came from and why it died", () => {
    const headers = deadLetterHeaders(
      { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      {
        topic: "chat.messages.acme",
        partition: 7,
        offset: "1234",
        timestamp: "1763892000000",
        error: "Error: boom",
        attempts: 5,
        service: "search-indexer",
      },
    );
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
    const headers = deadLetterHeaders(
      {},
      {
        topic: "t.t",
        partition: 0,
        offset: "0",
        timestamp: "0",
        error: "e".repeat(10_000),
        attempts: 1,
        service: "s",
      },
    );
    expect(headers["x-dlq-error"]).toHaveLength(2_000);
  });

  it("turns Kafka header values (buffers, arrays) into strings, the last value winning", () => {
    expect(
      headersToStrings({ a: Buffer.from("x"), b: [Buffer.from("1"), "2"], c: undefined }),
    ).toEqual({
      a: "x",
      b: "2",
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
