import { topicCatalog } from "../topics/catalog.ts";
import { deadLetterTopicFor } from "../topics/policy.ts";
import { consumesAnything, readsAsGroup, readsPerInstance } from "../topics/resolve.ts";
import { SERVICE_PLACEHOLDER, expandTemplate, familyPrefix } from "../topics/templates.ts";
import type { TopicDefinition } from "../topics/types.ts";
import { validateCatalog } from "../topics/validate.ts";
import { ValidationError } from "../topics/validation-error.ts";
import { services as defaultServices } from "./services.ts";
import type {
  AclOperation,
  AclPatternType,
  AclResourceType,
  AclRule,
  ServiceAccess,
  ServiceDefinition,
} from "./types.ts";

/** Transactional ids are per instance; each service owns exactly the family `<service>.tx.`. */
export function transactionalIdPrefixFor(service: string): string {
  return `${service}.tx.`;
}

/** Broadcast readers are per instance; each service owns the group family `<service>.broadcast.`. */
export function broadcastGroupPrefixFor(service: string): string {
  return `${service}.broadcast.`;
}

const OPERATION_ORDER: readonly AclOperation[] = ["Describe", "Read", "Write"];
const RESOURCE_ORDER: readonly AclResourceType[] = ["cluster", "group", "topic", "transactionalId"];

class AclBuilder {
  private readonly rules = new Map<
    string,
    { type: AclResourceType; name: string; patternType: AclPatternType; ops: Set<AclOperation> }
  >();

  allow(
    type: AclResourceType,
    name: string,
    patternType: AclPatternType,
    ops: readonly AclOperation[],
  ): void {
    const key = `${type}\u0000${patternType}\u0000${name}`;
    const rule = this.rules.get(key) ?? { type, name, patternType, ops: new Set<AclOperation>() };
    ops.forEach((op) => rule.ops.add(op));
    this.rules.set(key, rule);
  }

  build(): AclRule[] {
    return [...this.rules.values()]
      .sort(
        (a, b) =>
          RESOURCE_ORDER.indexOf(a.type) - RESOURCE_ORDER.indexOf(b.type) ||
          a.name.localeCompare(b.name) ||
          a.patternType.localeCompare(b.patternType),
      )
      .map((r) => ({
        resource: { type: r.type, name: r.name, patternType: r.patternType },
        operations: OPERATION_ORDER.filter((op) => r.ops.has(op)),
      }));
  }
}

/**
 * A topic reference as an ACL resource: literal for single topics, prefix for the per-tenant
 * families (the only prefix topic ACLs there are, so a new tenant needs no ACL change).
 */
function topicResource(def: TopicDefinition): { name: string; patternType: AclPatternType } {
  return def.family === "per-tenant"
    ? { name: familyPrefix(def.name), patternType: "prefix" }
    : { name: def.name, patternType: "literal" };
}

/**
 * Least privilege from the declaration alone: producers get Write and Describe on their
 * topics; consumers Read and Describe, plus Read on their group; broadcast readers Read and
 * Describe, plus Read on their per-instance group family `<service>.broadcast.`;
 * transactional producers Write and Describe on their transactional-id family; consumers also
 * write their own dead-letter topic. Nothing else: no wildcards, no cluster operations.
 */
export function deriveServiceAccess(
  service: ServiceDefinition,
  catalog: readonly TopicDefinition[] = topicCatalog,
): ServiceAccess {
  const acls = new AclBuilder();
  const byName = new Map(catalog.map((t) => [t.name, t] as const));
  const commandFamily = catalog.find((t) => t.family === "per-service");
  const def = (name: string): TopicDefinition => {
    const found = byName.get(name);
    if (found === undefined) throw new Error(`unknown topic ${name}; validate the catalog first`);
    return found;
  };

  for (const topic of service.produces) {
    const r = topicResource(def(topic));
    acls.allow("topic", r.name, r.patternType, ["Write", "Describe"]);
  }
  for (const topic of [...service.consumes, ...(service.broadcasts ?? [])]) {
    const r = topicResource(def(topic));
    acls.allow("topic", r.name, r.patternType, ["Read", "Describe"]);
  }
  if (commandFamily !== undefined) {
    for (const target of service.sendsCommandsTo ?? []) {
      acls.allow(
        "topic",
        expandTemplate(commandFamily.name, SERVICE_PLACEHOLDER, target),
        "literal",
        ["Write", "Describe"],
      );
    }
    if (service.receivesCommands === true) {
      acls.allow(
        "topic",
        expandTemplate(commandFamily.name, SERVICE_PLACEHOLDER, service.name),
        "literal",
        ["Read", "Describe"],
      );
    }
  }
  const groupReader = readsAsGroup(service);
  if (groupReader) acls.allow("group", service.name, "literal", ["Read"]);
  const broadcaster = readsPerInstance(service);
  if (broadcaster) acls.allow("group", broadcastGroupPrefixFor(service.name), "prefix", ["Read"]);
  const consumer = consumesAnything(service);
  if (consumer) {
    acls.allow("topic", deadLetterTopicFor(service.name), "literal", ["Write", "Describe"]);
  }
  if (service.transactional === true) {
    acls.allow("transactionalId", transactionalIdPrefixFor(service.name), "prefix", [
      "Write",
      "Describe",
    ]);
  }
  return {
    service: service.name,
    namespace: service.namespace,
    username: service.name,
    ...(groupReader ? { consumerGroup: service.name } : {}),
    ...(broadcaster ? { broadcastGroupPrefix: broadcastGroupPrefixFor(service.name) } : {}),
    ...(consumer ? { deadLetterTopic: deadLetterTopicFor(service.name) } : {}),
    ...(service.transactional === true
      ? { transactionalIdPrefix: transactionalIdPrefixFor(service.name) }
      : {}),
    acls: acls.build(),
  };
}

/** Every service's access, sorted by service name; throws a ValidationError on a bad catalog. */
export function deriveAllAccess(
  serviceList: readonly ServiceDefinition[] = defaultServices,
  catalog: readonly TopicDefinition[] = topicCatalog,
): ServiceAccess[] {
  const issues = validateCatalog(catalog, serviceList);
  if (issues.length > 0) throw new ValidationError(issues);
  return serviceList
    .map((s) => deriveServiceAccess(s, catalog))
    .sort((a, b) => a.service.localeCompare(b.service));
}
