import { describe, expect, it } from "vitest";
import {
  TRACEPARENT_HEADER,
  CONTENT_TYPE_HEADER,
  ENVELOPE_CONTENT_TYPE,
  EnvelopeError,
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
} from "../../../client/envelope.ts";

const sent = {
  conversation_id: "c-1",
  message_id: "m-1",
  sender_id: "u-1",
  text: "hello",
  sent_at: "2026-11-23T10:00:00.000Z",
};

function fresh() {
  return createEnvelope({
    type: "chat.message.sent",
    tenantId: "acme",
    payload: sent,
    source: "socket-service",
  });
}

describe("envelope", () => {
  it("fills id, timestamp, version, correlation and trace ids, and applies payload defaults", () => {
    const env = fresh();
    expect(env.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(env.version).toBe(1);
    expect(env.metadata.correlation_id).toBe(env.id);
    expect(env.metadata.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(env.payload.attachments).toEqual([]);
    expect(Date.parse(env.timestamp)).not.toBeNaN();
  });

  it("round-trips through encode/decode with content-type and a traceparent carrying the trace id", () => {
    const env = fresh();
    const { value, headers } = encodeEnvelope(env, "00f067aa0ba902b7");
    expect(headers[CONTENT_TYPE_HEADER]).toBe(ENVELOPE_CONTENT_TYPE);
    expect(headers[TRACEPARENT_HEADER]).toBe(`00-${env.metadata.trace_id}-00f067aa0ba902b7-01`);
    expect(decodeEnvelope(value, headers)).toEqual(env);
  });

  it("rejects a payload that does not match its event type, naming the field", () => {
    expect(() =>
      createEnvelope({
        type: "chat.message.sent",
        tenantId: "acme",
        payload: { ...sent, conversation_id: "" },
        source: "s",
      }),
    ).toThrow(/payload\.conversation_id/);
  });

  it("rejects an unknown event type and an unknown version on decode", () => {
    const env = fresh();
    const raw = (patch: object): Buffer => Buffer.from(JSON.stringify({ ...env, ...patch }));
    expect(() => decodeEnvelope(raw({ type: "chat.message.exploded" }))).toThrow(
      /type: is not an event type/,
    );
    expect(() => decodeEnvelope(raw({ version: 7 }))).toThrow(/no payload schema version 7/);
  });

  it("rejects bad tenant ids and trace ids when encoding", () => {
    expect(() => encodeEnvelope({ ...fresh(), tenant_id: "Not A Tenant" })).toThrow(/tenant_id/);
    const env = fresh();
    expect(() =>
      encodeEnvelope({ ...env, metadata: { ...env.metadata, trace_id: "xyz" } }),
    ).toThrow(/metadata\.trace_id/);
  });

  it("treats non-JSON, empty values, foreign content types and mismatched traceparents as errors", () => {
    const { value, headers } = encodeEnvelope(fresh());
    expect(() => decodeEnvelope(Buffer.from("{not json"))).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(null)).toThrow(/value is empty/);
    expect(() => decodeEnvelope(value, { [CONTENT_TYPE_HEADER]: "text/plain" })).toThrow(
      /unsupported "text\/plain"/,
    );
    expect(() =>
      decodeEnvelope(value, {
        ...headers,
        [TRACEPARENT_HEADER]: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      }),
    ).toThrow(/does not match metadata.trace_id/);
  });

  it("rejects extra fields on the envelope (strict)", () => {
    const raw = Buffer.from(JSON.stringify({ ...fresh(), extra: 1 }));
    expect(() => decodeEnvelope(raw)).toThrow(/extra/);
  });
});
