import type { ServiceDefinition } from "../acl/types.ts";
import { COMPATIBILITY_MODES, isCompatibilityMode } from "./compatibility.ts";
import { topicNameProblems, isLegalSegment } from "./naming.ts";
import { TOPIC_MIN_INSYNC_REPLICAS, TOPIC_REPLICATION_FACTOR } from "./policy.ts";
import { SERVICE_PLACEHOLDER, TENANT_PLACEHOLDER, expandTemplate } from "./templates.ts";
import type { TopicDefinition } from "./types.ts";
import type { ValidationIssue } from "./validation-error.ts";

export const CATALOG_FILE = "topics/catalog.ts";
export const SERVICES_FILE = "acl/services.ts";

const CLEANUP_POLICIES = ["delete", "compact", "compact,delete"];
const FAMILIES = ["single", "per-tenant", "per-service"];
/** Kafka's hard limit is far higher; this catches typos such as 3200 for 32. */
export const MAX_PARTITIONS = 256;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks the catalog and the service declarations together; returns every issue found. */
export function validateCatalog(
  catalog: readonly TopicDefinition[],
  serviceList: readonly ServiceDefinition[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const topicIssue = (path: string, message: string, allowed?: readonly string[]): void => {
    issues.push({ file: CATALOG_FILE, path, message, ...(allowed ? { allowed } : {}) });
  };
  const serviceIssue = (path: string, message: string, allowed?: readonly string[]): void => {
    issues.push({ file: SERVICES_FILE, path, message, ...(allowed ? { allowed } : {}) });
  };

  const names = new Set<string>();
  catalog.forEach((t, i) => {
    const at = `topics[${i}]`;
    if (names.has(t.name)) topicIssue(`${at}.name`, `duplicate topic "${t.name}"`);
    names.add(t.name);
    if (!FAMILIES.includes(t.family))
      topicIssue(`${at}.family`, `unknown family "${t.family}"`, FAMILIES);
    const placeholder =
      t.family === "per-tenant"
        ? TENANT_PLACEHOLDER
        : t.family === "per-service"
          ? SERVICE_PLACEHOLDER
          : undefined;
    const placeholders = t.name.match(/\{[^}]*\}/g) ?? [];
    if (placeholder === undefined && placeholders.length > 0) {
      topicIssue(`${at}.name`, `"${t.name}" has a placeholder but family is "single"`, [
        "per-tenant",
        "per-service",
      ]);
    }
    if (
      placeholder !== undefined &&
      (placeholders.length !== 1 || placeholders[0] !== placeholder)
    ) {
      topicIssue(
        `${at}.name`,
        `family "${t.family}" needs exactly one ${placeholder} in the name`,
        [placeholder],
      );
    }
    if (placeholder === TENANT_PLACEHOLDER && !t.name.endsWith(`.${TENANT_PLACEHOLDER}`)) {
      // Per-tenant topics are granted by prefix ACL, so the tenant must be the last segment.
      topicIssue(
        `${at}.name`,
        `${TENANT_PLACEHOLDER} must be the last segment so a prefix ACL covers exactly the family`,
      );
    }
    const sample = placeholder ? expandTemplate(t.name, placeholder, "sample") : t.name;
    for (const problem of topicNameProblems(sample))
      topicIssue(`${at}.name`, `"${t.name}" ${problem}`);
    if (!Number.isInteger(t.partitions) || t.partitions < 1 || t.partitions > MAX_PARTITIONS) {
      topicIssue(
        `${at}.partitions`,
        `must be a whole number from 1 to ${MAX_PARTITIONS}, got ${t.partitions}`,
      );
    }
    if (!Number.isInteger(t.retentionMs) || t.retentionMs < 60_000) {
      topicIssue(
        `${at}.retentionMs`,
        `must be whole milliseconds of at least one minute, got ${t.retentionMs}`,
      );
    }
    if (!CLEANUP_POLICIES.includes(t.cleanupPolicy)) {
      topicIssue(
        `${at}.cleanupPolicy`,
        `unknown cleanup policy "${t.cleanupPolicy}"`,
        CLEANUP_POLICIES,
      );
    }
    const capacity = (t as { capacity?: TopicDefinition["capacity"] }).capacity;
    if (capacity === undefined) {
      topicIssue(
        `${at}.capacity`,
        "is required: expected ingest per environment, compression, rationale",
      );
    } else {
      for (const env of ["dev", "staging", "prod"] as const) {
        const rate = capacity.ingest[env];
        if (
          rate === undefined ||
          !(rate.avgBytesPerSec > 0) ||
          !(rate.peakBytesPerSec >= rate.avgBytesPerSec)
        ) {
          topicIssue(
            `${at}.capacity.ingest.${env}`,
            `must have 0 < avgBytesPerSec <= peakBytesPerSec, got ${JSON.stringify(rate)}`,
          );
        }
      }
      if (!(capacity.compressionRatio >= 1)) {
        topicIssue(
          `${at}.capacity.compressionRatio`,
          `must be at least 1 (uncompressed bytes over bytes on disk), got ${capacity.compressionRatio}`,
        );
      }
      const cap = capacity.retentionBytesPerPartition;
      if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1024 * 1024 * 1024)) {
        topicIssue(
          `${at}.capacity.retentionBytesPerPartition`,
          `must be whole bytes of at least one 1 GiB segment, got ${cap}`,
        );
      }
    }
    if (t.key.trim() === "") topicIssue(`${at}.key`, "must say what the message key is");
    if (t.events.length === 0) topicIssue(`${at}.events`, "must list at least one event type");
    if (t.compatibility !== undefined && !isCompatibilityMode(t.compatibility)) {
      topicIssue(
        `${at}.compatibility`,
        `unknown compatibility mode "${t.compatibility}"`,
        COMPATIBILITY_MODES,
      );
    }
  });

  const templates = catalog.map((t) => t.name);
  const addressable = catalog.filter((t) => t.family !== "per-service").map((t) => t.name);
  const serviceNames = serviceList.map((s) => s.name);
  const seen = new Set<string>();
  serviceList.forEach((s, i) => {
    const at = `services[${i}]`;
    if (!isLegalSegment(s.name))
      serviceIssue(
        `${at}.name`,
        `"${s.name}" is not a legal name segment ([a-z0-9] joined by '-')`,
      );
    if (seen.has(s.name)) serviceIssue(`${at}.name`, `duplicate service "${s.name}"`);
    seen.add(s.name);
    // Credentials are delivered into the service's own namespace: without one they reach nobody.
    const namespace: unknown = (s as { namespace?: unknown }).namespace;
    if (typeof namespace !== "string" || namespace === "") {
      serviceIssue(
        `${at}.namespace`,
        `is required: the Kubernetes namespace service "${s.name}" runs in, where its Secret kafka-${s.name} is delivered`,
      );
    } else if (!K8S_NAME.test(namespace) || namespace.length > 63) {
      serviceIssue(
        `${at}.namespace`,
        `"${namespace}" is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)`,
      );
    }
    for (const field of ["produces", "consumes", "broadcasts"] as const) {
      (s[field] ?? []).forEach((topic, j) => {
        if (!templates.includes(topic)) {
          serviceIssue(`${at}.${field}[${j}]`, `unknown topic "${topic}"`, addressable);
        } else if (!addressable.includes(topic)) {
          serviceIssue(
            `${at}.${field}[${j}]`,
            `"${topic}" is reached through receivesCommands / sendsCommandsTo, not by name`,
            addressable,
          );
        }
      });
    }
    if (s.lag !== undefined) {
      const { target, warning, critical, reason } = s.lag;
      const t = target ?? 1_000;
      const w = warning ?? 10_000;
      const c = critical ?? 100_000;
      if (!(s.consumes.length > 0 || s.receivesCommands === true)) {
        serviceIssue(`${at}.lag`, "is set but the service reads no topic as a group");
      }
      if (!(t > 0 && t < w && w < c)) {
        serviceIssue(
          `${at}.lag`,
          `must satisfy 0 < target < warning < critical, got ${t} / ${w} / ${c}`,
        );
      }
      if (typeof reason !== "string" || reason.trim() === "") {
        serviceIssue(`${at}.lag.reason`, "must say why this group differs from the defaults");
      }
    }
    // A topic read both ways would reach every instance twice: once through the shared group
    // and once through its own broadcast group.
    (s.broadcasts ?? []).forEach((topic, j) => {
      if (s.consumes.includes(topic)) {
        serviceIssue(
          `${at}.broadcasts[${j}]`,
          `"${topic}" is also in consumes; read it either as a group (consumes) or in every instance (broadcasts)`,
          ["consumes", "broadcasts"],
        );
      }
    });
    (s.sendsCommandsTo ?? []).forEach((target, j) => {
      const receiver = serviceList.find((o) => o.name === target);
      if (receiver === undefined) {
        serviceIssue(`${at}.sendsCommandsTo[${j}]`, `unknown service "${target}"`, serviceNames);
      } else if (receiver.receivesCommands !== true) {
        serviceIssue(
          `${at}.sendsCommandsTo[${j}]`,
          `service "${target}" does not set receivesCommands`,
        );
      }
    });
  });
  if (
    serviceList.some((s) => s.receivesCommands === true) &&
    !catalog.some((t) => t.family === "per-service")
  ) {
    serviceIssue(
      "services",
      "a service receives commands but the catalog has no per-service command topic family",
    );
  }
  if (TOPIC_MIN_INSYNC_REPLICAS >= TOPIC_REPLICATION_FACTOR) {
    topicIssue(
      "policy",
      "min.insync.replicas must be below the replication factor, or one broker down stops writes",
    );
  }
  return issues;
}
