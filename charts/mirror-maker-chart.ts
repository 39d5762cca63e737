import { ApiObject, Chart } from "cdk8s";
import { ConfigMap } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { MirrorAclRule } from "../acl/mirror-maker.ts";
import { KafkaMirrorMaker2, KafkaUser, type KafkaUserSpec } from "./imports/kafka.strimzi.io.ts";
import { platformLabels, strimziLabels } from "./labels.ts";
import { CLIENT_LISTENER_PORT } from "./listeners.ts";
import { addHeartbeatEmitter } from "./mirror-maker-heartbeats.ts";
import type { MirrorFlow } from "./mirror-maker-plan.ts";
import { mirrorMakerJmxExporterConfigYaml } from "./mirror-maker-metrics.ts";
import type { PlatformModel } from "./model.ts";

export const MIRROR_MAKER_CHART = "mirror-maker";
export const MIRROR_MAKER_METRICS_KEY = "mirror-maker-2-metrics.yml";

/** The KafkaMirrorMaker2 resource's name (its pods are `<name>-mirrormaker2-*`). */
export function mirrorMakerName(model: PlatformModel): string {
  return `${model.config.cluster.name}-mirror-maker-2`;
}

/**
 * The Secret (in this stack's Kafka namespace) holding the password of the source region's
 * MirrorMaker user, copied from that region (docs/runbooks/failover.md, "Prerequisites").
 */
export function sourcePasswordSecretName(source: string): string {
  return `mirror-maker-source-${source}`;
}

/** The Secret holding the source region's cluster CA certificate, copied from that region. */
/** Whether a rendered object is one of the MirrorMaker users (not a service's). */
export function isMirrorMakerUser(o: {
  kind: string;
  metadata: { labels?: Record<string, string> };
}): boolean {
  return o.kind === "KafkaUser" && o.metadata.labels?.[MIRROR_MAKER_USER_LABEL] !== undefined;
}

/** The label on the MirrorMaker users: which flow they serve. */
export const MIRROR_MAKER_USER_LABEL = "kafka-platform.chat/mirror-maker";

export function sourceCaSecretName(source: string): string {
  return `mirror-maker-source-${source}-cluster-ca-cert`;
}

function strimziAcls(rules: readonly MirrorAclRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({
    type: "allow",
    resource: {
      type: r.resource.type,
      name: r.resource.name,
      patternType: r.resource.patternType,
    },
    operations: [...r.operations],
  }));
}

/** Each connector's config as Strimzi takes it: strings, numbers and booleans as they are. */
function connectorConfig(config: MirrorFlow["sourceConnector"]): Record<string, unknown> {
  return { ...config };
}

/**
 * MirrorMaker 2 of one stack (decision 0013), rendered from the stack's MirrorPlan:
 * - where the stack receives: the KafkaMirrorMaker2 (Strimzi v1: `target` plus one `mirrors[]`
 *   entry per peer, each with the source and checkpoint connectors), its metrics ConfigMap, and
 *   the target-side KafkaUser `mirror-maker`;
 * - where a peer receives from this stack: the source-side KafkaUser `mirror-maker-<peer>`,
 *   read only.
 * - where a peer receives from this stack: also the heartbeat emitter (a KafkaConnect running
 *   MirrorHeartbeatConnector, charts/mirror-maker-heartbeats.ts): Strimzi 1.x has no heartbeat
 *   connector in KafkaMirrorMaker2 (decision 0015).
 */
export class MirrorMakerChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, MIRROR_MAKER_CHART, { namespace: model.config.kubernetes.namespace });
    const plan = model.mirror;
    if (plan === undefined) return;
    const { config } = model;
    const labels = strimziLabels(model);
    const scram = { type: "scram-sha-512" };
    for (const flow of plan.outbound) {
      new KafkaUser(this, `user-${flow.sourceUser}`, {
        metadata: {
          name: flow.sourceUser,
          labels: {
            ...labels,
            [MIRROR_MAKER_USER_LABEL]: `${flow.source}-to-${flow.target}`,
          },
        },
        spec: {
          authentication: scram,
          authorization: { type: "simple", acls: strimziAcls(flow.sourceAcls) },
          quotas: { ...flow.quotas },
        } as unknown as KafkaUserSpec,
      });
    }
    if (plan.heartbeats !== undefined) {
      addHeartbeatEmitter(this, model, plan.heartbeats, {
        key: MIRROR_MAKER_USER_LABEL,
        value: `heartbeats-${plan.heartbeats.region}`,
      });
    }
    const inbound = plan.inbound;
    const first = inbound[0];
    if (first === undefined) return;
    const targetUser = first.targetUser;
    new KafkaUser(this, `user-${targetUser}`, {
      metadata: {
        name: targetUser,
        labels: { ...labels, [MIRROR_MAKER_USER_LABEL]: `to-${first.target}` },
      },
      spec: {
        authentication: scram,
        authorization: {
          type: "simple",
          acls: strimziAcls(mergeRules(inbound.flatMap((f) => f.targetAcls))),
        },
        quotas: { ...first.quotas },
      } as unknown as KafkaUserSpec,
    });
    const metricsName = `${mirrorMakerName(model)}-metrics`;
    new ConfigMap(this, "mirror-maker-metrics", {
      metadata: { name: metricsName, labels: platformLabels(model) },
      data: { [MIRROR_MAKER_METRICS_KEY]: mirrorMakerJmxExporterConfigYaml() },
    });
    const peers = config.mirrorMaker.peers ?? [];
    const cluster = config.cluster.name;
    new ApiObject(this, "kafka-mirror-maker-2", {
      apiVersion: KafkaMirrorMaker2.GVK.apiVersion,
      kind: KafkaMirrorMaker2.GVK.kind,
      metadata: { name: mirrorMakerName(model), labels: platformLabels(model) },
      spec: {
        version: config.cluster.kafkaVersion,
        replicas: config.mirrorMaker.replicas,
        target: {
          alias: first.target,
          bootstrapServers: `${cluster}-kafka-bootstrap:${CLIENT_LISTENER_PORT}`,
          groupId: first.internal.workerGroup,
          configStorageTopic: first.internal.configs,
          offsetStorageTopic: first.internal.offsets,
          statusStorageTopic: first.internal.status,
          tls: {
            trustedCertificates: [{ secretName: `${cluster}-cluster-ca-cert`, pattern: "*.crt" }],
          },
          authentication: {
            ...scram,
            username: targetUser,
            passwordSecret: { secretName: targetUser, password: "password" },
          },
          config: { ...first.worker },
        },
        mirrors: inbound.map((flow) => {
          const peer = peers.find((p) => p.region === flow.source);
          if (peer === undefined) throw new Error(`no peer for region ${flow.source}`);
          return {
            source: {
              alias: flow.source,
              bootstrapServers: peer.bootstrap,
              tls: {
                trustedCertificates: [
                  { secretName: sourceCaSecretName(flow.source), pattern: "*.crt" },
                ],
              },
              authentication: {
                ...scram,
                username: flow.sourceUser,
                passwordSecret: {
                  secretName: sourcePasswordSecretName(flow.source),
                  password: "password",
                },
              },
            },
            sourceConnector: { tasksMax: 4, config: connectorConfig(flow.sourceConnector) },
            checkpointConnector: { tasksMax: 1, config: connectorConfig(flow.checkpointConnector) },
            topicsPattern: flow.topicsPattern,
            groupsPattern: flow.groupsPattern,
          };
        }),
        resources: {
          requests: { cpu: "500m", memory: "1Gi" },
          limits: { memory: "1Gi" },
        },
        metricsConfig: {
          type: "jmxPrometheusExporter",
          valueFrom: { configMapKeyRef: { name: metricsName, key: MIRROR_MAKER_METRICS_KEY } },
        },
      },
    });
  }
}

/** Rules of several flows on one user, merged by resource. */
function mergeRules(rules: readonly MirrorAclRule[]): MirrorAclRule[] {
  const byKey = new Map<string, MirrorAclRule>();
  for (const r of rules) {
    const key = `${r.resource.type}\u0000${r.resource.patternType}\u0000${r.resource.name}`;
    const prev = byKey.get(key);
    byKey.set(
      key,
      prev === undefined
        ? r
        : { ...r, operations: [...new Set([...prev.operations, ...r.operations])].sort() },
    );
  }
  return [...byKey.values()];
}
