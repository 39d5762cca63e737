import type { ServiceDefinition } from "../../../acl/types.ts";

/**
 * The ACL grants a service should have, computed from its declaration in acl/services.ts by a
 * route of its own (never acl/derive.ts), written straight from the rules of issue 2 and the
 * conventions in docs/topics.md: producers Write+Describe, consumers Read+Describe plus Read on
 * their group and Write+Describe on their dead-letter topic, command senders/receivers on
 * internal.<svc>.commands, transactional producers Write+Describe on the prefix `<service>.tx.`,
 * broadcast readers Read+Describe on their topics and Read on the group prefix
 * `<service>.broadcast.` (and they too own a dead-letter topic).
 * Per-tenant topic families are granted by prefix (the part before `{tenant}`); everything
 * else is literal.
 */
export interface ExpectedGrant {
  readonly resourceType: "topic" | "group" | "transactionalId";
  readonly patternType: "literal" | "prefix";
  readonly name: string;
  readonly operation: "Read" | "Write" | "Describe";
}

/** `<resourceType> <patternType> <name> <operation>`, the text form the tests compare. */
export function grantText(g: ExpectedGrant): string {
  return `${g.resourceType} ${g.patternType} ${g.name} ${g.operation}`;
}

function topicGrants(topic: string, ops: readonly ExpectedGrant["operation"][]): ExpectedGrant[] {
  const tenant = topic.indexOf("{tenant}");
  const [patternType, name] =
    tenant >= 0 ? (["prefix", topic.slice(0, tenant)] as const) : (["literal", topic] as const);
  return ops.map((operation) => ({ resourceType: "topic", patternType, name, operation }));
}

/** Whether the service reads anything, and so owns `dlq.<service>`. */
export function consumesAnything(s: ServiceDefinition): boolean {
  return s.consumes.length > 0 || (s.broadcasts ?? []).length > 0 || s.receivesCommands === true;
}

/** The service's expected grants, without duplicates, sorted by their text form. */
export function expectedGrantList(s: ServiceDefinition): ExpectedGrant[] {
  const grants: ExpectedGrant[] = [];
  for (const t of s.produces) grants.push(...topicGrants(t, ["Write", "Describe"]));
  for (const t of s.consumes) grants.push(...topicGrants(t, ["Read", "Describe"]));
  for (const t of s.broadcasts ?? []) grants.push(...topicGrants(t, ["Read", "Describe"]));
  for (const target of s.sendsCommandsTo ?? []) {
    grants.push(...topicGrants(`internal.${target}.commands`, ["Write", "Describe"]));
  }
  if (s.receivesCommands === true) {
    grants.push(...topicGrants(`internal.${s.name}.commands`, ["Read", "Describe"]));
  }
  if (s.consumes.length > 0 || s.receivesCommands === true) {
    grants.push({ resourceType: "group", patternType: "literal", name: s.name, operation: "Read" });
  }
  if ((s.broadcasts ?? []).length > 0) {
    grants.push({
      resourceType: "group",
      patternType: "prefix",
      name: `${s.name}.broadcast.`,
      operation: "Read",
    });
  }
  if (consumesAnything(s)) grants.push(...topicGrants(`dlq.${s.name}`, ["Write", "Describe"]));
  if (s.transactional === true) {
    for (const operation of ["Write", "Describe"] as const) {
      grants.push({
        resourceType: "transactionalId",
        patternType: "prefix",
        name: `${s.name}.tx.`,
        operation,
      });
    }
  }
  const unique = new Map(grants.map((g) => [grantText(g), g] as const));
  return [...unique.keys()].sort().map((k) => unique.get(k)!);
}

/** The service's expected grants in text form, sorted. */
export function expectedGrants(s: ServiceDefinition): string[] {
  return expectedGrantList(s).map(grantText);
}
