import {
  AclOperations,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
  type AclFilter,
} from "@platformatic/kafka";
import type { AclOperation, AclPatternType, AclResourceType } from "../../acl/types.ts";
import type { AclBinding } from "./types.ts";

/** Translation between the catalog's ACL words and Kafka's wire enums. */
const RESOURCE: Record<AclResourceType, number> = {
  topic: ResourceTypes.TOPIC,
  group: ResourceTypes.GROUP,
  cluster: ResourceTypes.CLUSTER,
  transactionalId: ResourceTypes.TRANSACTIONAL_ID,
};
const PATTERN: Record<AclPatternType, number> = {
  literal: ResourcePatternTypes.LITERAL,
  prefix: ResourcePatternTypes.PREFIXED,
};
const OPERATION: Record<AclOperation, number> = {
  Read: AclOperations.READ,
  Write: AclOperations.WRITE,
  Describe: AclOperations.DESCRIBE,
  DescribeConfigs: AclOperations.DESCRIBE_CONFIGS,
};

function reverse<K extends string>(map: Record<K, number>, value: number): K | undefined {
  return (Object.keys(map) as K[]).find((k) => map[k] === value);
}

export function toKafkaAcl(binding: AclBinding): Acl {
  return {
    resourceType: RESOURCE[binding.resourceType],
    resourceName: binding.resourceName,
    resourcePatternType: PATTERN[binding.patternType],
    principal: binding.principal,
    host: "*",
    operation: OPERATION[binding.operation],
    permissionType: AclPermissionTypes.ALLOW,
  } as Acl;
}

export function toKafkaAclFilter(binding: AclBinding): AclFilter {
  return toKafkaAcl(binding);
}

/** Matches every ACL in the cluster. */
export const ALL_ACLS_FILTER = {
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal: null,
  host: null,
  operation: AclOperations.ANY,
  permissionType: AclPermissionTypes.ANY,
} as AclFilter;

/** A live ACL in the catalog's words; undefined for kinds the catalog never grants (left alone). */
export function fromKafkaAcl(acl: Acl): AclBinding | undefined {
  if (acl.permissionType !== AclPermissionTypes.ALLOW || acl.host !== "*") return undefined;
  const resourceType = reverse(RESOURCE, acl.resourceType);
  const patternType = reverse(PATTERN, acl.resourcePatternType);
  const operation = reverse(OPERATION, acl.operation);
  if (resourceType === undefined || patternType === undefined || operation === undefined)
    return undefined;
  return {
    principal: acl.principal,
    resourceType,
    resourceName: acl.resourceName,
    patternType,
    operation,
  };
}
