import { DEAD_LETTER_HEADERS } from "../topics/policy.ts";
import { decodeEnvelope, type Envelope } from "./envelope.ts";
import { catalogEntryFor } from "./keys.ts";
import type { ConsumedRecord } from "./library-consumer.ts";
import type { RawMessage } from "./producer.ts";

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

/** The dead letter of a record: its key, value and headers, plus where and why. */
export function deadLetterFor(
  record: ConsumedRecord,
  error: unknown,
  attempts: number,
  service: string,
): RawMessage {
  return {
    key: record.key,
    value: record.value,
    headers: deadLetterHeaders(record.headers, {
      ...record,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      attempts,
      service,
    }),
  };
}

/** The record's envelope, or the error that makes it poison (not an envelope, wrong event type). */
export function decodeFor(record: ConsumedRecord): Envelope | Error {
  try {
    const envelope = decodeEnvelope(record.value, record.headers);
    const allowed = catalogEntryFor(record.topic)?.events;
    if (allowed !== undefined && !allowed.includes(envelope.type)) {
      throw new Error(`event type ${envelope.type} does not belong on ${record.topic}`);
    }
    return envelope;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
