import type { CatalogTopicTemplate } from "../topics/catalog.ts";

/**
 * A service as it declares itself: what it produces and consumes, and whether it needs
 * exactly-once. Everything else (KafkaUser, ACLs, consumer group, dead-letter topic) is derived.
 */
export interface ServiceDefinition {
  readonly name: string;
  readonly description: string;
  /**
   * The Kubernetes namespace the service runs in. The stack delivers the service's Kafka
   * credentials there (Secret `kafka-<name>`, see acl/credentials.ts) and labels it as a
   * client namespace, the only kind the brokers' NetworkPolicies admit.
   */
  readonly namespace: string;
  /** Catalog topics (templates for the families) the service writes. */
  readonly produces: readonly CatalogTopicTemplate[];
  /** Catalog topics the service reads, as consumer group `<name>`. */
  readonly consumes: readonly CatalogTopicTemplate[];
  /**
   * Catalog topics every instance of the service reads in full, each instance in its own
   * consumer group `<name>.broadcast.<instance>`: for fan-out to what an instance holds, such
   * as the socket-service's WebSocket connections.
   */
  readonly broadcasts?: readonly CatalogTopicTemplate[];
  /** The service reads commands from its own `internal.<name>.commands` topic. */
  readonly receivesCommands?: boolean;
  /** Services whose command topic this service writes. */
  readonly sendsCommandsTo?: readonly string[];
  /**
   * The most instances the service runs at once. A service that declares `broadcasts` reads
   * them in full once per instance, which its consumer quota must carry (default 1).
   */
  readonly instances?: number;
  /**
   * Overrides of the consumer-lag target (1,000) and alert thresholds (10,000 / 100,000) for
   * the service's group, with the reason (acl/lag-objectives.ts).
   */
  readonly lag?: {
    readonly target?: number;
    readonly warning?: number;
    readonly critical?: number;
    readonly reason: string;
  };
  /** Exactly-once consume-transform-produce: gets the transactional-id family `<name>.tx.`. */
  readonly transactional?: boolean;
}

export type AclResourceType = "topic" | "group" | "transactionalId" | "cluster";
export type AclPatternType = "literal" | "prefix";
/** DescribeConfigs only for the Schema Registry, which checks its topics' settings at start. */
export type AclOperation = "Read" | "Write" | "Describe" | "DescribeConfigs";

export interface AclRule {
  readonly resource: {
    readonly type: AclResourceType;
    readonly name: string;
    readonly patternType: AclPatternType;
  };
  /** Sorted, unique. */
  readonly operations: readonly AclOperation[];
}

/** What one service may do, derived from its declaration alone. */
export interface ServiceAccess {
  readonly service: string;
  /** The namespace the service runs in, where its credentials Secret is delivered. */
  readonly namespace: string;
  /** KafkaUser name, which is also the name of the Secret Strimzi generates. */
  readonly username: string;
  readonly consumerGroup?: string;
  /** The family of per-instance groups of a service that declares `broadcasts`. */
  readonly broadcastGroupPrefix?: string;
  readonly transactionalIdPrefix?: string;
  readonly deadLetterTopic?: string;
  /** Sorted by resource type, then name. */
  readonly acls: readonly AclRule[];
}
