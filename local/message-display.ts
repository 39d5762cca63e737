import { decodeEnvelope, EnvelopeError } from "../client/envelope.ts";

export interface DisplayableMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null | undefined;
  readonly value: Buffer | null | undefined;
  readonly headers: ReadonlyMap<Buffer, Buffer>;
}

function headerRecord(headers: ReadonlyMap<Buffer, Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) out[k.toString("utf8")] = v.toString("utf8");
  return out;
}

/**
 * One consumed record as a JSON line: the envelope decoded and validated by the client
 * module's decoder; a record that is not a valid envelope is shown raw with the reason.
 */
export function formatMessage(message: DisplayableMessage): string {
  const headers = headerRecord(message.headers);
  const base = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: message.key?.toString("utf8") ?? null,
    headers,
  };
  try {
    return JSON.stringify({ ...base, envelope: decodeEnvelope(message.value, headers) });
  } catch (e) {
    if (!(e instanceof EnvelopeError)) throw e;
    return JSON.stringify({
      ...base,
      value: message.value?.toString("utf8") ?? null,
      notAnEnvelope: e.message,
    });
  }
}
