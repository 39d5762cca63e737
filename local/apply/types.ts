import type { AdminAclBinding } from "../../acl/forms.ts";

/** A topic as the cluster should have it. */
export interface TopicState {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Only the keys the catalog manages (cleanup.policy, min.insync.replicas, retention.ms). */
  readonly config: Readonly<Record<string, string>>;
}

/** One allow ACL binding, as Kafka stores it (one operation per binding, host `*`): acl/forms.ts. */
export type AclBinding = AdminAclBinding;

/** A user's client quotas as Kafka stores them (`user=<name>` entity, per broker). */
export interface UserQuotaState {
  readonly user: string;
  readonly producerByteRate: number;
  readonly consumerByteRate: number;
  readonly requestPercentage: number;
}

export interface DesiredState {
  readonly topics: readonly TopicState[];
  /** SCRAM users (service user names). */
  readonly users: readonly string[];
  readonly acls: readonly AclBinding[];
  /** The same quotas the KafkaUsers carry, for every service user and the admin. */
  readonly quotas: readonly UserQuotaState[];
  /** Live topics matching these are managed (deleted when not desired); others are left alone. */
  readonly managedTopicPatterns: readonly RegExp[];
}

export interface LiveState {
  readonly topics: ReadonlyMap<string, TopicState>;
  readonly users: readonly string[];
  readonly acls: readonly AclBinding[];
  /** Quotas set on `user=<name>` entities. */
  readonly quotas: ReadonlyMap<string, Partial<Omit<UserQuotaState, "user">>>;
}

export type ChangeAction = "create" | "update" | "delete";

export interface PlannedChange {
  readonly action: ChangeAction;
  readonly kind: "topic" | "partitions" | "topic-config" | "user" | "acl" | "quota";
  /** What it applies to, e.g. `topic chat.events`. */
  readonly target: string;
  /** Human detail, never a secret. */
  readonly detail: string;
  /** Loses data or weakens durability: refused without --allow-destructive. */
  readonly destructive?: string;
  /** Kafka cannot do this at all (e.g. fewer partitions): always refused. */
  readonly impossible?: string;
  readonly topic?: TopicState;
  readonly configChanges?: Readonly<Record<string, string>>;
  readonly acl?: AclBinding;
  readonly user?: string;
  readonly quota?: UserQuotaState;
}

export interface Plan {
  readonly changes: readonly PlannedChange[];
}

export function aclKey(a: AclBinding): string {
  return [a.principal, a.resourceType, a.patternType, a.resourceName, a.operation].join("|");
}

export function describeAcl(a: AclBinding): string {
  return `${a.principal} ALLOW ${a.operation} on ${a.resourceType} ${a.patternType === "prefix" ? `${a.resourceName}*` : a.resourceName}`;
}
