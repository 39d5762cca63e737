import { DEAD_LETTER_HEADERS } from "../topics/policy.ts";

/** Where a dead letter came from and why it died. */
export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Broker timestamp of the original record, ms since the epoch as a string. */
  readonly timestamp: string;
  readonly error: string;
  readonly attempts: number;
  readonly service: string;
}

/** The original headers plus the dead-letter headers of topics/policy.ts. */
export function deadLetterHeaders(
  original: Readonly<Record<string, string>>,
  source: DeadLetterSource,
): Record<string, string> {
  return {
    ...original,
    [DEAD_LETTER_HEADERS.originalTopic]: source.topic,
    [DEAD_LETTER_HEADERS.originalPartition]: String(source.partition),
    [DEAD_LETTER_HEADERS.originalOffset]: source.offset,
    [DEAD_LETTER_HEADERS.originalTimestamp]: source.timestamp,
    [DEAD_LETTER_HEADERS.error]: source.error.slice(0, 2_000),
    [DEAD_LETTER_HEADERS.attempts]: String(source.attempts),
    [DEAD_LETTER_HEADERS.service]: source.service,
  };
}

/** Kafka headers as plain strings (the last value wins for repeated keys). */
export function headersToStrings(
  headers: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const last: unknown = Array.isArray(v) ? v[v.length - 1] : v;
    if (Buffer.isBuffer(last)) out[k] = last.toString("utf8");
    else if (typeof last === "string") out[k] = last;
  }
  return out;
}
