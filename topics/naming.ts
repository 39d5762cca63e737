/**
 * The enforced topic naming rule: lowercase, dot-separated domains. Each segment is lowercase
 * letters and digits, optionally joined by single hyphens (service and tenant names); no
 * underscores, because Kafka's metric names fold `.` and `_` together and two topics differing
 * only there would collide. The whole name must also satisfy Kafka's own rule: the characters
 * `[a-zA-Z0-9._-]`, at most 249 characters, and not `.` or `..`.
 */
export const KAFKA_MAX_TOPIC_NAME_LENGTH = 249;
export const SEGMENT_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const KAFKA_LEGAL_PATTERN = /^[a-zA-Z0-9._-]+$/;

export const NAMING_RULE =
  "lowercase dot-separated segments of [a-z0-9] joined by single '-', at most 249 characters";

/** Returns the reasons `name` breaks the rule; empty when it is legal. */
export function topicNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ["is empty"];
  if (name.length > KAFKA_MAX_TOPIC_NAME_LENGTH) {
    problems.push(
      `is ${name.length} characters long; Kafka allows at most ${KAFKA_MAX_TOPIC_NAME_LENGTH}`,
    );
  }
  if (!KAFKA_LEGAL_PATTERN.test(name)) {
    problems.push("has characters Kafka does not allow in topic names (legal: a-z A-Z 0-9 . _ -)");
  }
  const segments = name.split(".");
  if (segments.length < 2)
    problems.push("needs at least two dot-separated segments (a domain and a name)");
  segments.forEach((segment, i) => {
    if (!SEGMENT_PATTERN.test(segment)) {
      problems.push(`segment ${i + 1} "${segment}" is not ${SEGMENT_PATTERN.source}`);
    }
  });
  return problems;
}

/** A tenant or service name must itself be one legal segment. */
export function isLegalSegment(value: string): boolean {
  return SEGMENT_PATTERN.test(value) && value.length <= 63;
}
