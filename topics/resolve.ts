import { services as defaultServices } from "../acl/services.ts";
import type { ServiceDefinition } from "../acl/types.ts";
import { componentTopicCatalog, topicCatalog } from "./catalog.ts";
import { environmentTopicOverrides } from "./environment-overrides.ts";
import {
  DEAD_LETTER_COMPRESSION_RATIO,
  DEAD_LETTER_INGEST,
  DEAD_LETTER_PARTITIONS,
  DEAD_LETTER_RETENTION_MS,
  TOPIC_MIN_INSYNC_REPLICAS,
  TOPIC_REPLICATION_FACTOR,
  deadLetterTopicFor,
} from "./policy.ts";
import {
  SERVICE_PLACEHOLDER,
  TENANT_PLACEHOLDER,
  expandTemplate,
  familyPrefix,
} from "./templates.ts";
import { topicNameProblems } from "./naming.ts";
import type {
  CleanupPolicy,
  ComponentTopicDefinition,
  Environment,
  PlatformComponent,
  ResolvedTopic,
  TopicDefinition,
} from "./types.ts";
import { CATALOG_FILE, validateCatalog } from "./validate.ts";
import { ValidationError, type ValidationIssue } from "./validation-error.ts";

export interface TopicResolutionInput {
  readonly environment: Environment;
  readonly tenants: readonly string[];
  readonly catalog?: readonly TopicDefinition[];
  readonly services?: readonly ServiceDefinition[];
  /** The platform components the stack runs; their own topics (componentTopicCatalog) join. */
  readonly components?: readonly PlatformComponent[];
  readonly componentCatalog?: readonly ComponentTopicDefinition[];
}

/** The service reads topics or its commands as its group `<service>`. */
export function readsAsGroup(service: ServiceDefinition): boolean {
  return service.consumes.length > 0 || service.receivesCommands === true;
}

/** The service reads `broadcasts`, each instance in a group of its own. */
export function readsPerInstance(service: ServiceDefinition): boolean {
  return (service.broadcasts ?? []).length > 0;
}

/** Services that read anything (as a group or per instance) own a dead-letter topic. */
export function consumesAnything(service: ServiceDefinition): boolean {
  return readsAsGroup(service) || readsPerInstance(service);
}

function topicConfig(
  retentionMs: number,
  cleanupPolicy: CleanupPolicy,
  retentionBytes?: number,
): Record<string, string> {
  return {
    "cleanup.policy": cleanupPolicy,
    "min.insync.replicas": String(TOPIC_MIN_INSYNC_REPLICAS),
    ...(retentionBytes !== undefined ? { "retention.bytes": String(retentionBytes) } : {}),
    "retention.ms": String(retentionMs),
  };
}

/**
 * Expands the catalog into the concrete topics one stack applies: a topic per tenant for the
 * per-tenant families, a command topic per receiving service, a dead-letter topic per
 * consuming service, with environment overrides applied. Sorted by name; throws a
 * ValidationError listing every problem when the catalog or service list is invalid.
 */
export function resolveTopics(input: TopicResolutionInput): ResolvedTopic[] {
  const catalog: readonly TopicDefinition[] = input.catalog ?? topicCatalog;
  const serviceList: readonly ServiceDefinition[] = input.services ?? defaultServices;
  const issues = validateCatalog(catalog, serviceList);
  if (issues.length > 0) throw new ValidationError(issues);

  const cap =
    environmentTopicOverrides[input.environment].maxRetentionMs ?? Number.POSITIVE_INFINITY;
  const retention = (ms: number): number => Math.min(ms, cap);
  const topics: ResolvedTopic[] = [];
  const add = (def: TopicDefinition, name: string): void => {
    topics.push({
      name,
      source: def.name,
      family: def.family,
      partitions: def.partitions,
      replicationFactor: TOPIC_REPLICATION_FACTOR,
      config: topicConfig(
        retention(def.retentionMs),
        def.cleanupPolicy,
        def.capacity.retentionBytesPerPartition,
      ),
      key: def.key,
      description: def.description,
      ingest: def.capacity.ingest[input.environment],
      compressionRatio: def.capacity.compressionRatio,
    });
  };

  for (const def of catalog) {
    if (def.family === "single") add(def, def.name);
    if (def.family === "per-tenant") {
      for (const tenant of input.tenants)
        add(def, expandTemplate(def.name, TENANT_PLACEHOLDER, tenant));
    }
    if (def.family === "per-service") {
      for (const s of serviceList.filter((x) => x.receivesCommands === true)) {
        add(def, expandTemplate(def.name, SERVICE_PLACEHOLDER, s.name));
      }
    }
  }
  const components = input.components ?? [];
  const componentCatalog = input.componentCatalog ?? componentTopicCatalog;
  const componentIssues: ValidationIssue[] = [];
  componentCatalog.forEach((def, i) => {
    for (const problem of topicNameProblems(def.name)) {
      componentIssues.push({
        file: CATALOG_FILE,
        path: `componentTopicCatalog[${i}].name`,
        message: `"${def.name}" ${problem}`,
      });
    }
  });
  if (componentIssues.length > 0) throw new ValidationError(componentIssues);
  for (const def of componentCatalog.filter((d) => components.includes(d.component))) {
    topics.push({
      name: def.name,
      source: def.name,
      family: "single",
      partitions: def.partitions,
      replicationFactor: TOPIC_REPLICATION_FACTOR,
      config:
        def.retentionMs === -1
          ? topicConfig(-1, def.cleanupPolicy, -1)
          : topicConfig(retention(def.retentionMs), def.cleanupPolicy),
      key: def.key,
      description: def.description,
      ingest: def.capacity.ingest[input.environment],
      compressionRatio: def.capacity.compressionRatio,
    });
  }
  for (const s of serviceList.filter(consumesAnything)) {
    topics.push({
      name: deadLetterTopicFor(s.name),
      source: "dead-letter",
      family: "dead-letter",
      partitions: DEAD_LETTER_PARTITIONS,
      replicationFactor: TOPIC_REPLICATION_FACTOR,
      config: topicConfig(retention(DEAD_LETTER_RETENTION_MS), "delete"),
      key: "original key",
      description: `Messages ${s.name} could not process after its retries, with the reason in headers.`,
      ingest: DEAD_LETTER_INGEST,
      compressionRatio: DEAD_LETTER_COMPRESSION_RATIO,
    });
  }
  const collisions = resolvedNameIssues(topics, catalog);
  if (collisions.length > 0) throw new ValidationError(collisions);
  return topics.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Checks the expanded names, which the per-entry checks cannot see: two entries (or a tenant
 * and a fixed topic, or a catalog entry and a dead-letter topic) resolving to the same name,
 * and a topic outside a per-tenant family whose name starts with that family's prefix — the
 * family's prefix ACL would silently grant access to it.
 */
function resolvedNameIssues(
  topics: readonly ResolvedTopic[],
  catalog: readonly TopicDefinition[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, ResolvedTopic>();
  for (const t of topics) {
    const first = seen.get(t.name);
    if (first !== undefined) {
      issues.push({
        file: CATALOG_FILE,
        path: `topics[${Math.max(
          0,
          catalog.findIndex((d) => d.name === t.source),
        )}].name`,
        message: `"${t.source}" resolves to "${t.name}", which "${first.source}" also resolves to`,
      });
    }
    seen.set(t.name, first ?? t);
  }
  for (const family of catalog.filter((d) => d.family === "per-tenant")) {
    const prefix = familyPrefix(family.name);
    for (const t of topics.filter((x) => x.source !== family.name && x.name.startsWith(prefix))) {
      issues.push({
        file: CATALOG_FILE,
        path: `topics[${Math.max(
          0,
          catalog.findIndex((d) => d.name === t.source),
        )}].name`,
        message: `"${t.name}" starts with "${prefix}", the prefix ACL of the per-tenant family "${family.name}"`,
      });
    }
  }
  return issues;
}
