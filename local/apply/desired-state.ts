import { adminAclBindings } from "../../acl/forms.ts";
import type { PlatformModel } from "../../charts/model.ts";
import { DEAD_LETTER_PREFIX } from "../../topics/policy.ts";
import { familyPrefix } from "../../topics/templates.ts";
import { topicCatalog } from "../../topics/catalog.ts";
import type { AclBinding, DesiredState, TopicState } from "./types.ts";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * What the live cluster should hold for a stack: the catalog's resolved topics with their
 * configs, one SCRAM user per service, and the ACLs derived in acl/ split into Kafka's
 * one-operation bindings. The same model the Strimzi KafkaTopic/KafkaUser charts render.
 */
export function desiredState(model: PlatformModel): DesiredState {
  const topics: TopicState[] = model.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    config: { ...t.config },
  }));
  const acls: AclBinding[] = adminAclBindings(model.access);
  const managedTopicPatterns = [
    ...topicCatalog.map((def) =>
      def.family === "single"
        ? new RegExp(`^${escapeRegExp(def.name)}$`)
        : new RegExp(
            `^${escapeRegExp(familyPrefix(def.name))}[a-z0-9-]+${escapeRegExp(def.name.slice(def.name.indexOf("}") + 1))}$`,
          ),
    ),
    new RegExp(`^${escapeRegExp(DEAD_LETTER_PREFIX)}[a-z0-9-]+$`),
  ];
  const quotas = Object.entries(model.quotas)
    .map(([user, q]) => ({ user, ...q }))
    .sort((a, b) => a.user.localeCompare(b.user));
  return {
    topics,
    users: model.access.map((a) => a.username),
    acls,
    quotas,
    managedTopicPatterns,
  };
}
