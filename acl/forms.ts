import type {
  AclOperation,
  AclPatternType,
  AclResourceType,
  AclRule,
  ServiceAccess,
} from "./types.ts";

/**
 * The one place a derived ACL rule (acl/derive.ts) is spelt in each of the three forms the
 * platform applies it in:
 * - Strimzi's KafkaUser `spec.authorization.acls` (the Strimzi path, charts/kafka-users-chart.ts);
 * - @pulumi/kafka's `kafka.Acl` (the kafka-provider path, infra/components/kafka-provider-access.ts);
 * - the Kafka Admin API's bindings, one operation each (the local cluster, local/apply/).
 * Pure data and functions: the callers only turn these words into their library's types.
 */

/** Strimzi's words (kafka.strimzi.io/v1 KafkaUser). */
export interface StrimziAcl {
  readonly type: "allow";
  readonly resource: {
    readonly type: "topic" | "group" | "cluster" | "transactionalId";
    readonly name: string;
    readonly patternType: "literal" | "prefix";
  };
  readonly operations: readonly AclOperation[];
}

export function strimziAcl(rule: AclRule): StrimziAcl {
  return {
    type: "allow",
    resource: {
      type: rule.resource.type,
      name: rule.resource.name,
      patternType: rule.resource.patternType,
    },
    operations: [...rule.operations],
  };
}

/** One `kafka.Acl` as @pulumi/kafka spells it: one operation per resource. */
export interface KafkaAclSpec {
  readonly service: string;
  readonly principal: string;
  readonly host: "*";
  readonly permissionType: "Allow";
  readonly resourceType: "Topic" | "Group" | "TransactionalID" | "Cluster";
  readonly resourceName: string;
  readonly patternType: "Literal" | "Prefixed";
  readonly operation: AclOperation;
}

const PULUMI_RESOURCE_TYPE: Record<AclResourceType, KafkaAclSpec["resourceType"]> = {
  topic: "Topic",
  group: "Group",
  transactionalId: "TransactionalID",
  cluster: "Cluster",
};

const PULUMI_PATTERN_TYPE: Record<AclPatternType, KafkaAclSpec["patternType"]> = {
  literal: "Literal",
  prefix: "Prefixed",
};

/** The principal Kafka sees for a service's SCRAM user. */
export function principalOf(access: Pick<ServiceAccess, "username">): string {
  return `User:${access.username}`;
}

/** The derived ACL matrix in @pulumi/kafka's vocabulary. */
export function kafkaAclSpecs(access: readonly ServiceAccess[]): KafkaAclSpec[] {
  return access.flatMap((a) =>
    a.acls.flatMap((rule) =>
      rule.operations.map((operation) => ({
        service: a.service,
        principal: principalOf(a),
        host: "*" as const,
        permissionType: "Allow" as const,
        resourceType: PULUMI_RESOURCE_TYPE[rule.resource.type],
        resourceName: rule.resource.name,
        patternType: PULUMI_PATTERN_TYPE[rule.resource.patternType],
        operation,
      })),
    ),
  );
}

/** A stable, unique Pulumi resource name for one ACL. */
export function kafkaAclResourceName(spec: KafkaAclSpec): string {
  return [
    spec.principal.replace(/^User:/, ""),
    spec.resourceType.toLowerCase(),
    spec.patternType.toLowerCase(),
    spec.resourceName,
    spec.operation.toLowerCase(),
  ].join("-");
}

/** One allow ACL binding as the Admin API stores it: one operation, host `*`. */
export interface AdminAclBinding {
  readonly principal: string;
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  readonly operation: AclOperation;
}

/** The derived ACL matrix as Admin API bindings (the local apply turns them into wire codes). */
export function adminAclBindings(access: readonly ServiceAccess[]): AdminAclBinding[] {
  return access.flatMap((a) =>
    a.acls.flatMap((rule) =>
      rule.operations.map((operation) => ({
        principal: principalOf(a),
        resourceType: rule.resource.type,
        resourceName: rule.resource.name,
        patternType: rule.resource.patternType,
        operation,
      })),
    ),
  );
}
