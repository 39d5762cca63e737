import type { AclOperation, AclPatternType, AclResourceType, ServiceAccess } from "../acl/types.ts";

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

const RESOURCE_TYPE: Record<AclResourceType, KafkaAclSpec["resourceType"]> = {
  topic: "Topic",
  group: "Group",
  transactionalId: "TransactionalID",
  cluster: "Cluster",
};

const PATTERN_TYPE: Record<AclPatternType, KafkaAclSpec["patternType"]> = {
  literal: "Literal",
  prefix: "Prefixed",
};

/** The derived ACL matrix (acl/derive.ts) in @pulumi/kafka's vocabulary. Pure. */
export function kafkaAclSpecs(access: readonly ServiceAccess[]): KafkaAclSpec[] {
  return access.flatMap((a) =>
    a.acls.flatMap((rule) =>
      rule.operations.map((operation) => ({
        service: a.service,
        principal: `User:${a.username}`,
        host: "*" as const,
        permissionType: "Allow" as const,
        resourceType: RESOURCE_TYPE[rule.resource.type],
        resourceName: rule.resource.name,
        patternType: PATTERN_TYPE[rule.resource.patternType],
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
