import type { ServiceAccess } from "../../../acl/types.ts";
import type { PlatformModel } from "../../../charts/model.ts";

/**
 * Concrete operations to try for a service, from its derived access: the topics it may write
 * and read (prefix families resolved to a real topic of the stack), and samples of what it
 * may NOT do (a topic it does not write or read, another group, another transactional id).
 */
export interface ServiceOperations {
  readonly service: string;
  readonly writes: readonly string[];
  readonly reads: readonly string[];
  readonly group?: string;
  /** Set for a service that reads only per instance (`broadcasts`): its group family. */
  readonly broadcastOnly?: string;
  readonly transactionalIdPrefix?: string;
  readonly forbiddenWrite?: string;
  readonly forbiddenRead?: string;
}

function concreteTopics(
  access: ServiceAccess,
  op: "Write" | "Read",
  topics: readonly string[],
): string[] {
  const out: string[] = [];
  for (const rule of access.acls) {
    if (rule.resource.type !== "topic" || !rule.operations.includes(op)) continue;
    if (rule.resource.patternType === "literal") out.push(rule.resource.name);
    else {
      const match = topics.find((t) => t.startsWith(rule.resource.name));
      if (match !== undefined) out.push(match);
    }
  }
  return out.sort();
}

function allowed(access: ServiceAccess, op: "Write" | "Read", topic: string): boolean {
  return access.acls.some(
    (r) =>
      r.resource.type === "topic" &&
      r.operations.includes(op) &&
      (r.resource.patternType === "literal"
        ? r.resource.name === topic
        : topic.startsWith(r.resource.name)),
  );
}

export function serviceOperations(model: PlatformModel): ServiceOperations[] {
  const topics = model.topics.map((t) => t.name);
  return model.access.map((access) => ({
    service: access.service,
    writes: concreteTopics(access, "Write", topics),
    reads: concreteTopics(access, "Read", topics),
    // A broadcast reader's group is one of its family: the instance "acl-test".
    ...(access.consumerGroup !== undefined
      ? { group: access.consumerGroup }
      : access.broadcastGroupPrefix !== undefined
        ? { group: `${access.broadcastGroupPrefix}acl-test` }
        : {}),
    ...(access.transactionalIdPrefix !== undefined
      ? { transactionalIdPrefix: access.transactionalIdPrefix }
      : {}),
    ...(access.consumerGroup === undefined && access.broadcastGroupPrefix !== undefined
      ? { broadcastOnly: access.broadcastGroupPrefix }
      : {}),
    forbiddenWrite: topics.find((t) => !allowed(access, "Write", t)),
    forbiddenRead: topics.find((t) => !allowed(access, "Read", t)),
  }));
}
