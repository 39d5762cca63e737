import {
  aclKey,
  describeAcl,
  type DesiredState,
  type LiveState,
  type PlannedChange,
  type Plan,
} from "./types.ts";

function configSummary(config: Readonly<Record<string, string>>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function configRisk(key: string, from: string | undefined, to: string): string | undefined {
  if (key === "retention.ms" && from !== undefined) {
    const before = Number(from);
    const after = Number(to);
    const unlimited = (n: number): boolean => n < 0;
    if (!unlimited(after) && (unlimited(before) || after < before)) {
      return `cuts retention from ${from} to ${to} ms: older records are deleted`;
    }
  }
  if (key === "retention.bytes" && from !== undefined) {
    const unlimited = (n: number): boolean => n < 0;
    const before = Number(from);
    const after = Number(to);
    if (!unlimited(after) && (unlimited(before) || after < before)) {
      return `caps partitions at ${to} bytes (was ${from}): older records above it are deleted`;
    }
  }
  if (
    key === "cleanup.policy" &&
    from !== undefined &&
    to.includes("compact") &&
    !from.includes("compact")
  ) {
    return `turns on compaction (${from} → ${to}): older records per key are deleted`;
  }
  if (key === "min.insync.replicas" && from !== undefined && Number(to) < Number(from)) {
    return `weakens durability: min.insync.replicas ${from} → ${to}`;
  }
  return undefined;
}

/**
 * The changes that turn `live` into `desired`. Pure. Topics the catalog does not manage (names
 * outside its families, internal `__` topics) and principals that are neither desired nor
 * `managedUsers` are left alone, so other tools' topics and users on a shared cluster survive.
 */
export function planChanges(
  desired: DesiredState,
  live: LiveState,
  options: { managedUsers: readonly string[]; knownPasswords: readonly string[] },
): Plan {
  const changes: PlannedChange[] = [];
  const desiredNames = new Set(desired.topics.map((t) => t.name));

  for (const topic of desired.topics) {
    const current = live.topics.get(topic.name);
    if (current === undefined) {
      changes.push({
        action: "create",
        kind: "topic",
        target: `topic ${topic.name}`,
        detail: `${topic.partitions} partitions, RF ${topic.replicationFactor}, ${configSummary(topic.config)}`,
        topic,
      });
      continue;
    }
    if (topic.partitions > current.partitions) {
      changes.push({
        action: "update",
        kind: "partitions",
        target: `topic ${topic.name}`,
        detail: `partitions ${current.partitions} → ${topic.partitions} (keys move to other partitions: per-key order breaks across the change)`,
        topic,
      });
    } else if (topic.partitions < current.partitions) {
      changes.push({
        action: "update",
        kind: "partitions",
        target: `topic ${topic.name}`,
        detail: `partitions ${current.partitions} → ${topic.partitions}`,
        impossible:
          "Kafka cannot reduce a topic's partitions; only deleting and recreating the topic (losing its data) would",
        topic,
      });
    }
    if (topic.replicationFactor !== current.replicationFactor) {
      changes.push({
        action: "update",
        kind: "partitions",
        target: `topic ${topic.name}`,
        detail: `replication factor ${current.replicationFactor} → ${topic.replicationFactor}`,
        impossible:
          "changing the replication factor needs a partition reassignment, which apply does not do",
        topic,
      });
    }
    const configChanges: Record<string, string> = {};
    const risks: string[] = [];
    const parts: string[] = [];
    for (const [key, value] of Object.entries(topic.config)) {
      const from = current.config[key];
      if (from === value) continue;
      configChanges[key] = value;
      parts.push(`${key} ${from ?? "(default)"} → ${value}`);
      const risk = configRisk(key, from, value);
      if (risk !== undefined) risks.push(risk);
    }
    if (parts.length > 0) {
      changes.push({
        action: "update",
        kind: "topic-config",
        target: `topic ${topic.name}`,
        detail: parts.join(", "),
        ...(risks.length > 0 ? { destructive: risks.join("; ") } : {}),
        topic,
        configChanges,
      });
    }
  }
  for (const name of [...live.topics.keys()].sort()) {
    if (desiredNames.has(name) || name.startsWith("__")) continue;
    if (!desired.managedTopicPatterns.some((p) => p.test(name))) continue;
    changes.push({
      action: "delete",
      kind: "topic",
      target: `topic ${name}`,
      detail: "no longer in the catalog",
      destructive: "deletes the topic and every record in it",
      topic: live.topics.get(name),
    });
  }

  const liveUsers = new Set(live.users);
  const known = new Set(options.knownPasswords);
  for (const user of desired.users) {
    if (!liveUsers.has(user)) {
      changes.push({
        action: "create",
        kind: "user",
        target: `user ${user}`,
        detail: "SCRAM-SHA-512, generated password",
        user,
      });
    } else if (!known.has(user)) {
      changes.push({
        action: "update",
        kind: "user",
        target: `user ${user}`,
        detail: "password unknown locally: a new one is generated",
        user,
      });
    }
  }
  const desiredUsers = new Set(desired.users);
  const managedPrincipals = new Set(
    [...desired.users, ...options.managedUsers].map((u) => `User:${u}`),
  );
  for (const user of options.managedUsers) {
    if (!desiredUsers.has(user) && liveUsers.has(user)) {
      changes.push({
        action: "delete",
        kind: "user",
        target: `user ${user}`,
        detail: "no longer a catalog service",
        user,
      });
    }
  }

  const desiredAcls = new Map(desired.acls.map((a) => [aclKey(a), a] as const));
  const liveAcls = new Map(live.acls.map((a) => [aclKey(a), a] as const));
  for (const [key, acl] of desiredAcls) {
    if (!liveAcls.has(key)) {
      changes.push({ action: "create", kind: "acl", target: "acl", detail: describeAcl(acl), acl });
    }
  }
  for (const [key, acl] of liveAcls) {
    if (!desiredAcls.has(key) && managedPrincipals.has(acl.principal)) {
      changes.push({ action: "delete", kind: "acl", target: "acl", detail: describeAcl(acl), acl });
    }
  }
  for (const q of desired.quotas) {
    const current = live.quotas.get(q.user) ?? {};
    const keys = ["producerByteRate", "consumerByteRate", "requestPercentage"] as const;
    const diffs = keys.filter((k) => current[k] !== q[k]);
    if (diffs.length === 0) continue;
    changes.push({
      action: Object.keys(current).length === 0 ? "create" : "update",
      kind: "quota",
      target: `quotas of user ${q.user}`,
      detail: diffs.map((k) => `${k} ${current[k] ?? "(none)"} → ${q[k]}`).join(", "),
      quota: q,
    });
  }
  return { changes };
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly destructive: number;
  readonly impossible: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const count = (f: (c: PlannedChange) => boolean): number => plan.changes.filter(f).length;
  return {
    create: count((c) => c.action === "create"),
    update: count((c) => c.action === "update"),
    delete: count((c) => c.action === "delete"),
    destructive: count((c) => c.destructive !== undefined),
    impossible: count((c) => c.impossible !== undefined),
  };
}

const SYMBOL = { create: "+", update: "~", delete: "-" } as const;

function flagOf(c: PlannedChange): string {
  if (c.impossible) return `\n      ! IMPOSSIBLE: ${c.impossible}`;
  if (c.destructive) return `\n      ! DESTRUCTIVE (needs --allow-destructive): ${c.destructive}`;
  return "";
}

/**
 * The plan as text lines; never contains a password. ACL bindings are grouped per principal
 * and action (one line each), so a first apply stays readable.
 */
export function formatPlan(plan: Plan): string[] {
  if (plan.changes.length === 0) return ["No changes: the cluster matches the catalog."];
  const lines = plan.changes
    .filter((c) => c.kind !== "acl")
    .map((c) => `  ${SYMBOL[c.action]} ${c.target}: ${c.detail}${flagOf(c)}`);
  const aclGroups = new Map<string, string[]>();
  for (const c of plan.changes) {
    if (c.kind !== "acl" || c.acl === undefined) continue;
    const key = `${SYMBOL[c.action]} acls of ${c.acl.principal}`;
    const what = `${c.acl.operation} ${c.acl.resourceType} ${c.acl.patternType === "prefix" ? `${c.acl.resourceName}*` : c.acl.resourceName}`;
    aclGroups.set(key, [...(aclGroups.get(key) ?? []), what]);
  }
  for (const [key, items] of aclGroups)
    lines.push(`  ${key} (${items.length}): ${items.join("; ")}`);
  const s = summarizePlan(plan);
  lines.push(
    `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete` +
      (s.destructive > 0 ? `, ${s.destructive} destructive` : "") +
      (s.impossible > 0 ? `, ${s.impossible} impossible` : "") +
      ".",
  );
  return lines;
}
