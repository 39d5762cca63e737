import { topicCatalog } from "../catalog.ts";
import { DEFAULT_COMPATIBILITY, valueSubject, type CompatibilityMode } from "../compatibility.ts";
import type { ResolvedTopic, TopicDefinition } from "../types.ts";
import type { ValidationIssue } from "../validation-error.ts";

/** One registry subject of a stack: a topic's values, its schema's catalog entry and mode. */
export interface RegistrySubject {
  /** `<topic>-value`. */
  readonly subject: string;
  readonly topic: string;
  /** The catalog entry (template name) the schema comes from. */
  readonly template: string;
  readonly compatibility: CompatibilityMode;
  /** Where the mode comes from: the default, the catalog entry or the stack file. */
  readonly compatibilitySource: "default" | "catalog" | "stack";
}

/**
 * The subjects of a stack: one per resolved event topic (not dead-letter topics, which hold
 * other services' bytes, nor component topics), with its compatibility: the stack's override,
 * else the catalog entry's, else BACKWARD. Sorted by subject.
 */
export function registrySubjects(
  topics: readonly Pick<ResolvedTopic, "name" | "source" | "family">[],
  stackOverrides: Readonly<Record<string, CompatibilityMode>> = {},
  catalog: readonly TopicDefinition[] = topicCatalog,
): RegistrySubject[] {
  const byTemplate = new Map(catalog.map((d) => [d.name, d] as const));
  const subjects: RegistrySubject[] = [];
  for (const t of topics) {
    const def = byTemplate.get(t.source);
    if (t.family === "dead-letter" || def === undefined) continue;
    const subject = valueSubject(t.name);
    const stack = stackOverrides[subject];
    const fromCatalog = def.compatibility as CompatibilityMode | undefined;
    subjects.push({
      subject,
      topic: t.name,
      template: def.name,
      compatibility: stack ?? fromCatalog ?? DEFAULT_COMPATIBILITY,
      compatibilitySource:
        stack !== undefined ? "stack" : fromCatalog !== undefined ? "catalog" : "default",
    });
  }
  return subjects.sort((a, b) => a.subject.localeCompare(b.subject));
}

/** Stack overrides for subjects the stack does not have, naming the file, field and allowed subjects. */
export function unknownSubjectOverrides(
  file: string,
  overrides: Readonly<Record<string, string>>,
  subjects: readonly RegistrySubject[],
): ValidationIssue[] {
  const known = subjects.map((s) => s.subject);
  return Object.keys(overrides)
    .filter((s) => !known.includes(s))
    .map((s) => ({
      file,
      path: `config.kafka-platform:schemaRegistry.compatibility.${s}`,
      message: `"${s}" is not a subject of this stack (subjects are <topic>-value)`,
      allowed: known,
    }));
}
