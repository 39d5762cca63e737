/**
 * Schema compatibility per registry subject (`<topic>-value`). BACKWARD is the default: a new
 * schema version must read everything the previous one wrote, so consumers upgrade first.
 * A catalog entry (topics/catalog.ts `compatibility`) or a stack
 * (`kafka-platform:schemaRegistry.compatibility`) may override it per subject.
 */
export const COMPATIBILITY_MODES = [
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
  "NONE",
] as const;
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];
export const DEFAULT_COMPATIBILITY: CompatibilityMode = "BACKWARD";

export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === "string" && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

/** The registry subject of a topic's values (Confluent's TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
