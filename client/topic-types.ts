import type { ServiceName, services } from "../acl/services.ts";
import type { topicCatalog } from "../topics/catalog.ts";
import type { CatalogEventType } from "../topics/events/registry.ts";

/**
 * Topic names, keys and event types as types, derived from the `as const` catalog and service
 * list: a topic the catalog does not declare, or an event that does not belong on a topic, is
 * a compile error for the services using this module.
 */

type Catalog = (typeof topicCatalog)[number];
type Service = (typeof services)[number];

export type TopicTemplate = Catalog["name"];

/** Services that read their own `internal.<service>.commands` topic. */
export type CommandReceiver = Extract<Service, { receivesCommands: true }>["name"];

/** Services that consume something, and so own `dlq.<service>`. */
export type DeadLetterOwner =
  | Extract<Service, { consumes: readonly [unknown, ...unknown[]] }>["name"]
  | Extract<Service, { broadcasts: readonly [unknown, ...unknown[]] }>["name"]
  | CommandReceiver;

/** The concrete names a template stands for: `chat.messages.{tenant}` → `chat.messages.${string}`. */
export type TopicNameOf<T extends TopicTemplate> = T extends `${infer Head}{tenant}${infer Tail}`
  ? `${Head}${string}${Tail}`
  : T extends `${infer Head}{service}${infer Tail}`
    ? `${Head}${CommandReceiver}${Tail}`
    : T;

/** Every catalog topic name (dead-letter topics excluded). */
export type CatalogTopicName = { [T in TopicTemplate]: TopicNameOf<T> }[TopicTemplate];

export type DeadLetterTopicName = `dlq.${DeadLetterOwner}`;

/** The template a concrete topic name comes from (never when it is not a catalog topic). */
export type TemplateOf<N extends string> = {
  [T in TopicTemplate]: N extends TopicNameOf<T> ? T : never;
}[TopicTemplate];

/** The event types that may travel on topic `N`. */
export type EventTypeOn<N extends string> = Extract<
  Catalog,
  { name: TemplateOf<N> }
>["events"][number] &
  CatalogEventType;

/** The payload field (or envelope field) that is the message key on topic `N`. */
export type KeyFieldOf<N extends string> = Extract<Catalog, { name: TemplateOf<N> }>["key"];

type ServiceByName<S extends ServiceName> = Extract<Service, { name: S }>;
type CommandTargetsOf<S extends ServiceName> =
  ServiceByName<S> extends { sendsCommandsTo: readonly (infer C extends string)[] } ? C : never;

/** The topics service `S` may write: what it declares, its command targets. */
export type ProducibleTopic<S extends ServiceName> =
  | TopicNameOf<ServiceByName<S>["produces"][number]>
  | `internal.${CommandTargetsOf<S> & CommandReceiver}.commands`;

/** The topics service `S` may read as its consumer group. */
export type ConsumableTopic<S extends ServiceName> =
  | TopicNameOf<ServiceByName<S>["consumes"][number]>
  | (S extends CommandReceiver ? `internal.${S}.commands` : never);

/** The topics every instance of service `S` reads in full (its `broadcasts`). */
export type BroadcastTopic<S extends ServiceName> =
  ServiceByName<S> extends { broadcasts: readonly (infer T extends TopicTemplate)[] }
    ? TopicNameOf<T>
    : never;

/** Any topic service `S` reads: as its group, or per instance. */
export type ReadableTopic<S extends ServiceName> = ConsumableTopic<S> | BroadcastTopic<S>;

export type { ServiceName };
