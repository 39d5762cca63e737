import { days } from "./durations.ts";

/** Settings every topic shares; a catalog entry cannot lower them. */
export const TOPIC_REPLICATION_FACTOR = 3;
export const TOPIC_MIN_INSYNC_REPLICAS = 2;

/** Dead-letter convention: each consuming service owns `dlq.<service>`; headers name the source. */
export const DEAD_LETTER_PREFIX = "dlq.";
export const DEAD_LETTER_PARTITIONS = 3;
export const DEAD_LETTER_RETENTION_MS = days(14);
/** What a dead-letter topic is expected to take: a trickle, in every environment. */
export const DEAD_LETTER_INGEST = { avgBytesPerSec: 512, peakBytesPerSec: 64 * 1024 } as const;
export const DEAD_LETTER_COMPRESSION_RATIO = 2;

export function deadLetterTopicFor(service: string): string {
  return `${DEAD_LETTER_PREFIX}${service}`;
}

/** Header names a dead letter carries (the client module writes them, tools read them). */
export const DEAD_LETTER_HEADERS = {
  originalTopic: "x-dlq-original-topic",
  originalPartition: "x-dlq-original-partition",
  originalOffset: "x-dlq-original-offset",
  originalTimestamp: "x-dlq-original-timestamp",
  error: "x-dlq-error",
  attempts: "x-dlq-attempts",
  service: "x-dlq-service",
} as const;
