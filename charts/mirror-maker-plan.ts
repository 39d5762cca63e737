import {
  heartbeatConnectAcls,
  sourceSideAcls,
  targetSideAcls,
  type MirrorAclInput,
  type MirrorAclRule,
  type TopicResource,
} from "../acl/mirror-maker.ts";
import type { ServiceDefinition } from "../acl/types.ts";
import type { StackConfig } from "../infra/config/schema.ts";
import { topicCatalog } from "../topics/catalog.ts";
import { familyPrefix } from "../topics/templates.ts";
import type { ResolvedTopic, TopicDefinition } from "../topics/types.ts";
import type { ValidationIssue } from "../topics/validation-error.ts";

/**
 * MirrorMaker 2 as one model (decision 0013): which topics and groups flow from which region to
 * which, under which replication policy, with which connector settings and ACLs. The
 * KafkaMirrorMaker2 custom resource (charts/mirror-maker-chart.ts) and the local dedicated-mode
 * properties (local/mirror-maker.ts) are both rendered from a `MirrorFlow`, so what runs here is
 * what runs in a region.
 */

export type ReplicationPolicyName = "identity" | "prefixed";

/** Kafka's replication policies (connect-mirror-client), the same in every connector. */
export const REPLICATION_POLICY_CLASS: Readonly<Record<ReplicationPolicyName, string>> = {
  identity: "org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
  prefixed: "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
};
/** DefaultReplicationPolicy's separator: `<source>.<topic>`. */
export const REPLICATION_SEPARATOR = ".";
/** Replication factor of the mirrored topics and of every MirrorMaker topic. */
export const MIRROR_REPLICATION_FACTOR = 3;
/**
 * Kafka's heartbeats topic (ReplicationPolicy.heartbeatsTopic()): MirrorHeartbeatConnector writes
 * it on the cluster its Connect worker runs against.
 */
export const HEARTBEATS_TOPIC = "heartbeats";
/** MirrorHeartbeatConnector's class (connect-mirror), run by a KafkaConnect (decision 0015). */
export const HEARTBEAT_CONNECTOR_CLASS = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector";
/** How often the heartbeat connector writes a heartbeat (Kafka's default is 1 s). */
export const HEARTBEAT_INTERVAL_SECONDS = 5;

/**
 * The source's heartbeats as they are named on the target: `<source>.heartbeats` under both
 * policies. Kafka's IdentityReplicationPolicy keeps names except for heartbeats, which it
 * formats like DefaultReplicationPolicy, so a heartbeat's path stays visible and never loops.
 */
export function remoteHeartbeatsTopic(source: string): string {
  return `${source}${REPLICATION_SEPARATOR}${HEARTBEATS_TOPIC}`;
}

export type ConnectorConfig = Readonly<Record<string, string | number | boolean>>;

/** One replicated topic family, under its source name and its name on the target. */
export interface ReplicatedTopic {
  /** Catalog template (`chat.messages.{tenant}`). */
  readonly template: string;
  /** Java regex matching the source topics (MirrorMaker's `topics`). */
  readonly pattern: string;
  readonly source: TopicResource;
  readonly remote: TopicResource;
}

/** One direction of replication: `source` region → `target` region, run in the target region. */
export interface MirrorFlow {
  /** Cluster aliases: the regions. */
  readonly source: string;
  readonly target: string;
  readonly policy: ReplicationPolicyName;
  readonly topics: readonly ReplicatedTopic[];
  readonly topicsPattern: string;
  /** The source's `heartbeats` as replicated onto the target (`<source>.heartbeats`). */
  readonly remoteHeartbeats: string;
  readonly groups: readonly string[];
  readonly groupsPattern: string;
  readonly internal: {
    readonly workerGroup: string;
    readonly configs: string;
    readonly offsets: string;
    readonly status: string;
    readonly offsetSyncs: string;
    readonly checkpoints: string;
    readonly heartbeats: string;
  };
  readonly sourceConnector: ConnectorConfig;
  readonly checkpointConnector: ConnectorConfig;
  readonly heartbeatConnector: ConnectorConfig;
  /** Connect worker settings of the target (storage topics' replication). */
  readonly worker: ConnectorConfig;
  /** The MirrorMaker user on the source cluster: read only. */
  readonly sourceUser: string;
  readonly sourceAcls: readonly MirrorAclRule[];
  /** The MirrorMaker user on the target cluster. */
  readonly targetUser: string;
  readonly targetAcls: readonly MirrorAclRule[];
  readonly rpoSeconds: number;
  /** Per-broker quotas of both MirrorMaker users (sized like the services', see mirrorQuotas). */
  readonly quotas: MirrorQuotas;
}

export interface MirrorQuotas {
  readonly producerByteRate: number;
  readonly consumerByteRate: number;
  readonly requestPercentage: number;
}

/**
 * MirrorMaker's client quotas per broker, from the catalog's peaks of the replicated topics as
 * the services' are (acl/quotas.ts): with one of the brokers down, three times the peak so it
 * catches up after an outage, and at least 1 MiB/s.
 */
export function mirrorQuotas(
  topics: readonly ResolvedTopic[],
  templates: readonly string[],
  brokers: number,
): MirrorQuotas {
  const peak = topics
    .filter((t) => templates.includes(t.source))
    .reduce((n, t) => n + t.ingest.peakBytesPerSec, 0);
  const perBroker = Math.max(1024 * 1024, Math.ceil((peak * 3) / Math.max(1, brokers - 1)));
  return { producerByteRate: perBroker, consumerByteRate: perBroker, requestPercentage: 100 };
}

/** One MirrorHeartbeatConnector: heartbeats written into this region's cluster for one peer. */
export interface HeartbeatConnector {
  /** The KafkaConnector's name (and the connector's name in Connect). */
  readonly name: string;
  /** The peer region whose MirrorMaker replicates these heartbeats. */
  readonly peer: string;
  readonly config: ConnectorConfig;
}

/**
 * Where the stack serves a peer: a small Kafka Connect cluster on the stack's own cluster that
 * runs one MirrorHeartbeatConnector per peer (decision 0015). The peer's KafkaMirrorMaker2
 * replicates `heartbeats` as `<this region>.heartbeats`, so the receiving side sees a record
 * every few seconds even when every replicated topic is idle.
 */
export interface HeartbeatPlan {
  /** This region: the cluster the heartbeats are written into. */
  readonly region: string;
  /** The KafkaConnect's name (its pods are `<name>-connect-*`). */
  readonly connect: string;
  readonly replicas: number;
  readonly user: string;
  readonly workerGroup: string;
  readonly storage: { readonly configs: string; readonly offsets: string; readonly status: string };
  readonly topic: string;
  /** Connect worker settings (storage topics' replication). */
  readonly worker: ConnectorConfig;
  readonly connectors: readonly HeartbeatConnector[];
  readonly acls: readonly MirrorAclRule[];
  readonly quotas: MirrorQuotas;
}

/**
 * The heartbeat Connect user's quotas per broker: a heartbeat is a few dozen bytes every
 * HEARTBEAT_INTERVAL_SECONDS and Connect's storage topics see a status write now and then, so
 * 256 KiB/s each way and a quarter of a request thread leave wide room and still cap a runaway.
 */
export const HEARTBEAT_QUOTAS: MirrorQuotas = {
  producerByteRate: 256 * 1024,
  consumerByteRate: 256 * 1024,
  requestPercentage: 25,
};

/** The heartbeat emitter of a region that serves `peers` (one connector per peer). */
export function heartbeatPlan(opts: {
  cluster: string;
  region: string;
  peers: readonly string[];
  policy: ReplicationPolicyName;
}): HeartbeatPlan {
  const base = "mirror-heartbeats";
  const storage = {
    // `.internal`: MirrorMaker never replicates these (ReplicationPolicy.isInternalTopic).
    configs: `${base}-configs.internal`,
    offsets: `${base}-offsets.internal`,
    status: `${base}-status.internal`,
  };
  return {
    region: opts.region,
    connect: `${opts.cluster}-${base}`,
    // One worker: a heartbeat gap while Strimzi restarts the pod elsewhere is minutes at most and
    // is what the receiving side's alert is for; a second worker would double the pods for a
    // connector with a single task.
    replicas: 1,
    user: base,
    workerGroup: base,
    storage,
    topic: HEARTBEATS_TOPIC,
    worker: {
      "config.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
      "offset.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
      "status.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
    },
    connectors: opts.peers.map((peer) => ({
      name: `${base}-${peer}`,
      peer,
      // Kafka's own layout (MirrorMakerConfig.clusterPairs): for a flow A->B the heartbeats
      // come from the herder B->A, i.e. source alias B, target alias A, written into A.
      config: {
        "source.cluster.alias": peer,
        "target.cluster.alias": opts.region,
        "replication.policy.class": REPLICATION_POLICY_CLASS[opts.policy],
        ...(opts.policy === "prefixed"
          ? { "replication.policy.separator": REPLICATION_SEPARATOR }
          : {}),
        "heartbeats.topic.replication.factor": MIRROR_REPLICATION_FACTOR,
        "emit.heartbeats.interval.seconds": HEARTBEAT_INTERVAL_SECONDS,
        // Heartbeats are raw bytes (Heartbeat.recordKey/recordValue), as MirrorMaker's own
        // driver writes them; Connect's default JsonConverter would wrap them.
        "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        "header.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
      },
    })),
    acls: heartbeatConnectAcls({
      workerGroup: base,
      storageTopics: [storage.configs, storage.offsets, storage.status],
      heartbeats: HEARTBEATS_TOPIC,
    }),
    quotas: HEARTBEAT_QUOTAS,
  };
}

export interface MirrorPlan {
  readonly mode: "active-passive" | "active-active";
  readonly policy: ReplicationPolicyName;
  readonly region: string;
  readonly rpoSeconds: number;
  /** Flows this stack receives (it runs MirrorMaker 2 for them). */
  readonly inbound: readonly MirrorFlow[];
  /** Flows a peer receives from this stack (this stack holds their source-side users). */
  readonly outbound: readonly MirrorFlow[];
  /** Replicated templates, for the consumer ACLs of the mirrored names. */
  readonly templates: readonly string[];
  /** The heartbeat emitter, where the stack serves a peer (`outbound` is not empty). */
  readonly heartbeats?: HeartbeatPlan;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The topic a replication policy names `topic` of `source` on the target. */
export function remoteTopicName(
  policy: ReplicationPolicyName,
  source: string,
  topic: string,
): string {
  return policy === "identity" ? topic : `${source}${REPLICATION_SEPARATOR}${topic}`;
}

function topicResourceOf(def: TopicDefinition): TopicResource {
  return def.family === "per-tenant"
    ? { name: familyPrefix(def.name), patternType: "prefix" }
    : { name: def.name, patternType: "literal" };
}

function remoteResource(
  policy: ReplicationPolicyName,
  source: string,
  r: TopicResource,
): TopicResource {
  return { name: remoteTopicName(policy, source, r.name), patternType: r.patternType };
}

/** The user names: `mirror-maker` on the target; `mirror-maker-<target>` on the source. */
export function mirrorUsers(source: string, target: string): { source: string; target: string } {
  void source;
  return { source: `mirror-maker-${target}`, target: "mirror-maker" };
}

/** Settings that differ between a region and the local clusters (faster refresh on loopback). */
export interface FlowTuning {
  /** How often new topics and groups are discovered (default 60 s). */
  readonly refreshSeconds?: number;
  /** How often consumer offsets are checkpointed and synced to the target's groups (default 10 s). */
  readonly syncSeconds?: number;
}

/** One flow from the replicated templates, the groups reading them and the policy. */
export function mirrorFlow(opts: {
  source: string;
  target: string;
  policy: ReplicationPolicyName;
  templates: readonly string[];
  services: readonly ServiceDefinition[];
  rpoSeconds: number;
  catalog?: readonly TopicDefinition[];
  tuning?: FlowTuning;
  quotas: MirrorQuotas;
}): MirrorFlow {
  const catalog: readonly TopicDefinition[] = opts.catalog ?? topicCatalog;
  const { source, target, policy } = opts;
  const topics: ReplicatedTopic[] = opts.templates.map((template) => {
    const def = catalog.find((t) => t.name === template);
    if (def === undefined) throw new Error(`unknown catalog topic ${template}; validate first`);
    const r = topicResourceOf(def);
    return {
      template,
      pattern:
        r.patternType === "prefix" ? `${escapeRegex(r.name)}[a-z0-9-]+` : escapeRegex(r.name),
      source: r,
      remote: remoteResource(policy, source, r),
    };
  });
  // Groups that read a replicated topic as a group; per-instance broadcast groups are not
  // translated (each instance starts at the end).
  const groups = opts.services
    .filter((s) => s.consumes.some((t) => opts.templates.includes(t)))
    .map((s) => s.name)
    .sort();
  const internal = {
    workerGroup: `${source}-mm2`,
    configs: `mm2-configs.${source}.internal`,
    offsets: `mm2-offsets.${source}.internal`,
    status: `mm2-status.${source}.internal`,
    offsetSyncs: `mm2-offset-syncs.${source}.internal`,
    checkpoints: `${source}.checkpoints.internal`,
    heartbeats: HEARTBEATS_TOPIC,
  };
  const policyConfig: Record<string, string> = {
    "replication.policy.class": REPLICATION_POLICY_CLASS[policy],
    ...(policy === "prefixed" ? { "replication.policy.separator": REPLICATION_SEPARATOR } : {}),
  };
  const refresh = opts.tuning?.refreshSeconds ?? 60;
  const sync = opts.tuning?.syncSeconds ?? 10;
  const sourceConnector: ConnectorConfig = {
    ...policyConfig,
    "replication.factor": MIRROR_REPLICATION_FACTOR,
    "offset-syncs.topic.replication.factor": MIRROR_REPLICATION_FACTOR,
    "offset-syncs.topic.location": "target",
    // ACLs come from this repository on both sides, never copied by MirrorMaker.
    "sync.topic.acls.enabled": false,
    // Identity: the target's catalog declares the same topics; prefixed: MirrorMaker owns them.
    "sync.topic.configs.enabled": policy === "prefixed",
    "refresh.topics.interval.seconds": refresh,
    // The source's `heartbeats` replicate whatever `topics` says (Kafka's default, set so it
    // is seen): they keep the replication alerts fed when every replicated topic is idle.
    "heartbeats.replication.enabled": true,
  };
  const checkpointConnector: ConnectorConfig = {
    ...policyConfig,
    "checkpoints.topic.replication.factor": MIRROR_REPLICATION_FACTOR,
    "offset-syncs.topic.location": "target",
    "sync.group.offsets.enabled": true,
    "sync.group.offsets.interval.seconds": sync,
    "emit.checkpoints.interval.seconds": sync,
    "refresh.groups.interval.seconds": refresh,
  };
  const heartbeatConnector: ConnectorConfig = {
    ...policyConfig,
    "heartbeats.topic.replication.factor": MIRROR_REPLICATION_FACTOR,
    "emit.heartbeats.interval.seconds": 5,
  };
  const worker: ConnectorConfig = {
    // Connect holds a departed worker's tasks for this long before moving them (default 5 min,
    // longer than the RPO allows); a restarted worker that comes back sooner takes them again.
    "scheduled.rebalance.max.delay.ms": 30_000,
    "config.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
    "offset.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
    "status.storage.replication.factor": MIRROR_REPLICATION_FACTOR,
  };
  const aclInput: MirrorAclInput = {
    sourceTopics: topics.map((t) => t.source),
    remoteTopics: topics.map((t) => t.remote),
    remoteHeartbeats: remoteHeartbeatsTopic(source),
    groups,
    internalTopics: [
      internal.configs,
      internal.offsets,
      internal.status,
      internal.offsetSyncs,
      internal.checkpoints,
      internal.heartbeats,
    ],
    workerGroup: internal.workerGroup,
    managesRemoteTopics: policy === "prefixed",
    sourceHeartbeats: HEARTBEATS_TOPIC,
  };
  const users = mirrorUsers(source, target);
  return {
    source,
    target,
    policy,
    topics,
    topicsPattern: topics.map((t) => t.pattern).join("|"),
    remoteHeartbeats: remoteHeartbeatsTopic(source),
    groups,
    groupsPattern: groups.map(escapeRegex).join("|"),
    internal,
    sourceConnector,
    checkpointConnector,
    heartbeatConnector,
    worker,
    sourceUser: users.source,
    sourceAcls: sourceSideAcls(aclInput),
    targetUser: users.target,
    targetAcls: targetSideAcls(aclInput),
    rpoSeconds: opts.rpoSeconds,
    quotas: opts.quotas,
  };
}

/** What the plan's checks need about the other stacks. */
export interface PeerLookup {
  /** Every stack there is (the Pulumi.<stack>.yaml files). */
  readonly stacks: readonly string[];
  /** The region a stack declares, or undefined when its file does not load. */
  readonly regionOf: (stack: string) => string | undefined;
}

/**
 * The stack's MirrorMaker plan, or undefined when it does not mirror. Every refusal names the
 * stack file and the field: an unknown peer, a topic not in the catalog or not marked as
 * replicable, a replicated topic whose retention is shorter than the RPO.
 */
export function buildMirrorPlan(opts: {
  file: string;
  config: StackConfig;
  topics: readonly ResolvedTopic[];
  services: readonly ServiceDefinition[];
  peers: PeerLookup;
  catalog?: readonly TopicDefinition[];
}): { plan?: MirrorPlan; issues: ValidationIssue[] } {
  const { file, config } = opts;
  const mm = config.mirrorMaker;
  const catalog: readonly TopicDefinition[] = opts.catalog ?? topicCatalog;
  if (!mm.enabled) return { issues: [] };
  const at = (field: string): string => `config.kafka-platform:mirrorMaker.${field}`;
  const issues: ValidationIssue[] = [];
  const mode = mm.mode ?? "active-passive";
  const policy = mm.replicationPolicy ?? "identity";
  const rpo = mm.rpoSeconds ?? 0;
  const peers = mm.peers ?? [];
  peers.forEach((p, i) => {
    if (!opts.peers.stacks.includes(p.stack)) {
      issues.push({
        file,
        path: at(`peers[${i}].stack`),
        message: `no stack "${p.stack}" (no Pulumi.${p.stack}.yaml)`,
        allowed: opts.peers.stacks.filter((s) => s !== opts.file.replace(/^Pulumi\.|\.yaml$/g, "")),
      });
      return;
    }
    const region = opts.peers.regionOf(p.stack);
    if (region !== undefined && region !== p.region) {
      issues.push({
        file,
        path: at(`peers[${i}].region`),
        message: `is ${p.region}, but Pulumi.${p.stack}.yaml declares region ${region}`,
        allowed: [region],
      });
    }
  });
  const templates = mm.topics ?? [];
  const replicable = catalog.filter((t) => t.replication?.allowed === true).map((t) => t.name);
  templates.forEach((template, i) => {
    const def = catalog.find((t) => t.name === template);
    if (def === undefined) {
      issues.push({
        file,
        path: at(`topics[${i}]`),
        message: `"${template}" is not a topic in the catalog (topics/catalog.ts)`,
        allowed: replicable,
      });
      return;
    }
    if (def.replication?.allowed !== true) {
      issues.push({
        file,
        path: at(`topics[${i}]`),
        message: `"${template}" may not replicate: ${def.replication?.rationale ?? "the catalog does not mark it as replicable"}`,
        allowed: replicable,
      });
      return;
    }
    for (const t of opts.topics.filter((r) => r.source === template)) {
      const retentionMs = Number(t.config["retention.ms"]);
      if (Number.isFinite(retentionMs) && retentionMs >= 0 && retentionMs < rpo * 1000) {
        issues.push({
          file,
          path: at(`topics[${i}]`),
          message: `topic ${t.name} keeps records ${retentionMs / 1000} s, less than the RPO of ${rpo} s (mirrorMaker.rpoSeconds): records could expire before they are mirrored; lower the RPO or raise the retention`,
        });
        break;
      }
    }
  });
  if (issues.length > 0) return { issues };
  const receives = mode === "active-active" || mm.role === "passive";
  const serves = mode === "active-active" || mm.role === "active";
  const flow = (source: string, target: string): MirrorFlow =>
    mirrorFlow({
      source,
      target,
      policy,
      templates,
      services: opts.services,
      rpoSeconds: rpo,
      catalog,
      quotas: mirrorQuotas(opts.topics, templates, config.cluster.brokers.replicas),
    });
  const outbound = serves ? peers.map((p) => flow(config.region, p.region)) : [];
  return {
    issues: [],
    plan: {
      mode,
      policy,
      region: config.region,
      rpoSeconds: rpo,
      inbound: receives ? peers.map((p) => flow(p.region, config.region)) : [],
      outbound,
      templates,
      ...(outbound.length > 0
        ? {
            heartbeats: heartbeatPlan({
              cluster: config.cluster.name,
              region: config.region,
              peers: outbound.map((f) => f.target),
              policy,
            }),
          }
        : {}),
    },
  };
}

/** The copies of a replicated template a region's consumers read besides their own (prefixed only). */
export function remoteResourcesFor(plan: MirrorPlan, template: string): TopicResource[] {
  if (plan.policy === "identity") return [];
  return plan.inbound.flatMap((f) =>
    f.topics.filter((t) => t.template === template).map((t) => t.remote),
  );
}
