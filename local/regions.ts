import { Admin, ProduceAcks, Producer } from "@platformatic/kafka";
import { services } from "../acl/services.ts";
import { mirrorFlow, remoteTopicName, type MirrorFlow } from "../charts/mirror-maker-plan.ts";
import { loadStack } from "../infra/config/load.ts";
import { applyCatalog } from "./apply/apply.ts";
import { LocalCluster } from "./cluster.ts";
import { platformaticOptions } from "./kafka-client-options.ts";
import {
  LocalMirrorMaker,
  alterSourceOffsets,
  applyMirrorUser,
  mirrorCredential,
  renderMirrorMakerProperties,
  type LocalEndpoint,
  type SourceStartOffset,
} from "./mirror-maker.ts";
import { listTopicSummaries, partitionOffsets } from "./topic-queries.ts";
import { toKafkaAcl } from "./apply/acl-codes.ts";
import { writeAclOverlay } from "./apply/acl-overlay.ts";
import type { AclBinding } from "./apply/types.ts";
import { deriveAllAccess } from "../acl/derive.ts";
import { withMirroredConsumerAcls } from "../acl/mirror-maker.ts";

/**
 * The ACL bindings the services get on the target for the mirrored copies of what they read
 * (acl/mirror-maker.ts withMirroredConsumerAcls, as the model applies it); none under identity.
 */
export function mirroredConsumerBindings(flow: MirrorFlow): AclBinding[] {
  if (flow.policy === "identity") return [];
  const base = deriveAllAccess();
  const extended = withMirroredConsumerAcls(base, services, (template) =>
    flow.topics.filter((t) => t.template === template).map((t) => t.remote),
  );
  return extended.flatMap((a) => {
    const before = new Set(
      (base.find((b) => b.service === a.service)?.acls ?? []).map((r) => r.resource.name),
    );
    return a.acls
      .filter((r) => !before.has(r.resource.name))
      .flatMap((r) =>
        r.operations.map((operation) => ({
          principal: `User:${a.username}`,
          resourceType: r.resource.type,
          resourceName: r.resource.name,
          patternType: r.resource.patternType,
          operation,
        })),
      );
  });
}

/**
 * Two local "regions": two independent 3-node clusters (each its own instance directory, so
 * its own CA, node certificates and credentials) and MirrorMaker 2 between them in dedicated
 * mode, one process per direction so each side authenticates as the users the charts render.
 * The replicated families, RPO and connector settings come from a production stack's config
 * (Pulumi.prod-eu-west-1.yaml by default) through the same `mirrorFlow` as the custom
 * resource; the clusters get the dev catalog (`npm run local -- apply --stack dev`).
 */
export type RegionMode = "active-passive" | "active-active";

export interface RegionSpec {
  readonly instance: string;
  readonly portBase: number;
  /** The cluster alias MirrorMaker uses: the region id. */
  readonly alias: string;
}

export interface LocalRegionsOptions {
  readonly a: RegionSpec;
  readonly b: RegionSpec;
  readonly mode: RegionMode;
  /**
   * In active-passive, the alias of the region producers write to (`mirrorMaker.role: active`);
   * MirrorMaker copies from it to the other. Default: region a. After a failover it is b.
   */
  readonly active?: string;
  /** The production stack whose mirrorMaker section (topics, RPO) the flows follow. */
  readonly modelStack?: string;
  /** The stack whose catalog both clusters get. */
  readonly catalogStack?: string;
  readonly log?: (line: string) => void;
}

/** Faster discovery and offset sync than a region's: a local run should not wait a minute. */
export const LOCAL_TUNING = { refreshSeconds: 5, syncSeconds: 2 } as const;

export interface TopicReplicationLag {
  readonly flow: string;
  readonly source: string;
  readonly remote: string;
  readonly sourceEnd: bigint;
  readonly remoteEnd: bigint;
  /** Records in the source not (yet) in the remote topic. */
  readonly lag: bigint;
  /**
   * Records the copy holds beyond the source: duplicates MirrorMaker wrote after a crash
   * (delivery is at-least-once), which the end offsets cannot tell apart from records.
   */
  readonly extra: bigint;
}

export class LocalRegions {
  readonly a: LocalCluster;
  readonly b: LocalCluster;
  readonly specs: readonly [RegionSpec, RegionSpec];
  readonly mode: RegionMode;
  /** The active region's alias (active-passive: the flow's source). */
  readonly active: string;
  private readonly log: (line: string) => void;
  private readonly modelStack: string;
  private readonly catalogStack: string;

  constructor(options: LocalRegionsOptions) {
    this.log = options.log ?? (() => {});
    this.a = new LocalCluster({
      instance: options.a.instance,
      portBase: options.a.portBase,
      log: this.log,
    });
    this.b = new LocalCluster({
      instance: options.b.instance,
      portBase: options.b.portBase,
      log: this.log,
    });
    this.specs = [options.a, options.b];
    this.mode = options.mode;
    this.active = options.active ?? options.a.alias;
    if (this.active !== options.a.alias && this.active !== options.b.alias) {
      throw new Error(
        `active region must be ${options.a.alias} or ${options.b.alias} (got ${this.active})`,
      );
    }
    this.modelStack = options.modelStack ?? "prod-eu-west-1";
    this.catalogStack = options.catalogStack ?? "dev";
    if (options.a.alias === options.b.alias) throw new Error("the two regions need two aliases");
  }

  private clusterOf(alias: string): LocalCluster {
    return alias === this.specs[0].alias ? this.a : this.b;
  }

  private specOf(alias: string): RegionSpec {
    return alias === this.specs[0].alias ? this.specs[0] : this.specs[1];
  }

  /**
   * The flows, from the model stack's config: active-passive from the active region to the
   * other (a → b unless b is active); active-active a → b and b → a.
   */
  flows(): MirrorFlow[] {
    const { config } = loadStack(this.modelStack);
    const mm = config.mirrorMaker;
    const templates = mm.topics ?? [];
    const policy = this.mode === "active-active" ? "prefixed" : "identity";
    const [a, b] = this.specs;
    const pairs: [string, string][] =
      this.mode === "active-active"
        ? [
            [a.alias, b.alias],
            [b.alias, a.alias],
          ]
        : [[this.active, this.active === a.alias ? b.alias : a.alias]];
    return pairs.map(([source, target]) =>
      mirrorFlow({
        source,
        target,
        policy,
        templates,
        services,
        rpoSeconds: mm.rpoSeconds ?? 300,
        tuning: LOCAL_TUNING,
        quotas: { producerByteRate: 0, consumerByteRate: 0, requestPercentage: 0 },
      }),
    );
  }

  /** The MirrorMaker process of one flow; its metrics on the target's port base + 30. */
  mirrorMaker(flow: MirrorFlow): LocalMirrorMaker {
    const target = this.specOf(flow.target);
    return new LocalMirrorMaker(
      `mm2-${this.specOf(flow.source).instance}-to-${target.instance}`,
      target.portBase + 30,
      this.log,
    );
  }

  private endpoint(alias: string): LocalEndpoint {
    const c = this.clusterOf(alias);
    return {
      alias,
      bootstrapServers: c.bootstrapServers,
      caPemPath: c.caPemPath,
      credential: c.adminCredentials,
    };
  }

  /** The dedicated-mode properties of one flow (the others disabled). */
  properties(flow: MirrorFlow): string {
    return renderMirrorMakerProperties(
      [flow],
      [this.endpoint(flow.source), this.endpoint(flow.target)],
      (alias, user) => mirrorCredential(this.clusterOf(alias), user),
    );
  }

  /** Starts both clusters, applies the catalog to each and the MirrorMaker users; no MirrorMaker yet. */
  async startClusters(options: { fresh?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(
      [this.a, this.b].map(async (c) => {
        this.log(`starting region ${c.instance} (port base ${c.portBase})`);
        await c.start({ fresh: options.fresh === true, timeoutMs: options.timeoutMs ?? 240_000 });
        await applyCatalog(c, { stack: this.catalogStack, log: () => {} });
      }),
    );
    await this.applyMirrorUsers();
  }

  /**
   * The MirrorMaker users of every flow on both sides, and, with prefixed names, the consumers'
   * read access to the mirrored copies (the ACLs the stack's KafkaUsers get in active-active).
   */
  async applyMirrorUsers(): Promise<void> {
    // Each cluster's overlay is rewritten, emptied where no flow with prefixed names targets it
    // (local/apply/acl-overlay.ts): `apply` keeps these bindings and removes stale ones.
    const byCluster = new Map<LocalCluster, AclBinding[]>([
      [this.a, []],
      [this.b, []],
    ]);
    for (const flow of this.flows()) {
      await applyMirrorUser(this.clusterOf(flow.source), flow.sourceUser, flow.sourceAcls);
      await applyMirrorUser(this.clusterOf(flow.target), flow.targetUser, flow.targetAcls);
      this.log(
        `MirrorMaker users: ${flow.sourceUser} on ${flow.source}, ${flow.targetUser} on ${flow.target}`,
      );
      const extra = mirroredConsumerBindings(flow);
      byCluster.get(this.clusterOf(flow.target))?.push(...extra);
      if (extra.length > 0) {
        const admin = this.admin(this.clusterOf(flow.target));
        try {
          await admin.createAcls({ creations: extra.map(toKafkaAcl) });
        } finally {
          await admin.close();
        }
        this.log(`${extra.length} consumer ACLs on ${flow.target} for the mirrored names`);
      }
    }
    for (const [cluster, bindings] of byCluster) writeAclOverlay(cluster.dir, "regions", bindings);
  }

  /**
   * Starts the MirrorMaker process of every flow (a no-op for one that runs). A flow whose
   * replication policy differs from its process's last start (a switch between active-passive
   * and active-active) first loses MirrorMaker's connector-config topic on the target: dedicated
   * mode rewrites the connector configs while the connectors start from the stored ones, and
   * Connect then skipped the source connector's task reconfiguration ("not running"), so its
   * task went on copying under the old names (seen once in five runs). The offsets topic stays.
   */
  async startMirrorMakers(): Promise<number[]> {
    const pids: number[] = [];
    for (const f of this.flows()) {
      const mm = this.mirrorMaker(f);
      const last = mm.pid() === undefined ? mm.lastPolicy() : undefined;
      if (last !== undefined && last !== f.policy) {
        await this.deleteTopic(this.clusterOf(f.target), f.internal.configs);
        this.log(
          `${f.source}->${f.target}: policy ${last} -> ${f.policy}, MirrorMaker's connector configs (${f.internal.configs}) start afresh`,
        );
      }
      pids.push(mm.start(this.properties(f), f.policy));
    }
    return pids;
  }

  /** Deletes a topic and waits until it is gone (MirrorMaker creates it again). */
  private async deleteTopic(c: LocalCluster, topic: string): Promise<void> {
    const admin = this.admin(c);
    try {
      if (!(await admin.listTopics()).includes(topic)) return;
      await admin.deleteTopics({ topics: [topic] });
      const deadline = Date.now() + 30_000;
      while ((await admin.listTopics()).includes(topic)) {
        if (Date.now() > deadline) throw new Error(`${topic} not deleted after 30s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await admin.close();
    }
  }

  async stopMirrorMakers(): Promise<number[]> {
    const pids: number[] = [];
    for (const f of this.flows()) {
      const pid = await this.mirrorMaker(f).stop();
      if (pid !== undefined) pids.push(pid);
    }
    return pids;
  }

  /**
   * Where each replicated topic of `alias` ends now, per partition: the offsets the reverse
   * flow resumes from after a failover (recorded when producers move to that region).
   */
  async endOffsets(alias: string): Promise<SourceStartOffset[]> {
    const patterns = [...new Set(this.flows().flatMap((f) => f.topics.map((t) => t.pattern)))].map(
      (p) => new RegExp(`^(?:${p})$`),
    );
    const admin = this.admin(this.clusterOf(alias));
    try {
      const result: SourceStartOffset[] = [];
      const topics = (await listTopicSummaries(admin)).filter((t) =>
        patterns.some((p) => p.test(t.name)),
      );
      for (const t of topics.sort((x, y) => x.name.localeCompare(y.name))) {
        for (const [partition, next] of await partitionOffsets(
          admin,
          t.name,
          t.partitions,
          "latest",
        )) {
          result.push({ topic: t.name, partition, next });
        }
      }
      return result;
    } finally {
      await admin.close();
    }
  }

  /**
   * Sets where `flow`'s source connector resumes (its MirrorMaker stopped): the local
   * counterpart of KafkaMirrorMaker2's `sourceConnector.alterOffsets`, through a short-lived
   * Kafka Connect worker whose REST API listens on the target's port base + 31.
   */
  async alterSourceOffsets(flow: MirrorFlow, offsets: readonly SourceStartOffset[]): Promise<void> {
    if (this.mirrorMaker(flow).pid() !== undefined) {
      throw new Error(
        `MirrorMaker ${flow.source}->${flow.target} runs: stop it before setting its offsets`,
      );
    }
    await alterSourceOffsets({
      flow,
      source: this.endpoint(flow.source),
      target: this.endpoint(flow.target),
      offsets,
      restPort: this.specOf(flow.target).portBase + 31,
      log: this.log,
    });
  }

  /** Stops MirrorMaker and both clusters, by pid. */
  async down(): Promise<void> {
    // Every flow of either mode and direction: active-active's two cover both directions.
    await new LocalRegions({
      a: this.specs[0],
      b: this.specs[1],
      mode: "active-active",
    }).stopMirrorMakers();
    await this.a.stop();
    await this.b.stop();
  }

  private admin(c: LocalCluster): Admin {
    return new Admin({
      clientId: "kp-regions-status",
      ...platformaticOptions(c.bootstrapServers, c.caPemPath, c.adminCredentials),
      retries: 2,
    });
  }

  /**
   * Waits until every flow's source connector replicates: one marker record in the last
   * replicated topic of the source reaches the copy. MirrorMaker takes 20-30 s from start to
   * its first replicated record (Connect group, connector and task start, topic discovery).
   */
  async waitUntilMirroring(timeoutMs = 120_000): Promise<void> {
    for (const flow of this.flows()) {
      const src = this.clusterOf(flow.source);
      const admin = this.admin(src);
      let topic: string | undefined;
      try {
        const pattern = new RegExp(`^(?:${flow.topicsPattern})$`);
        topic = (await listTopicSummaries(admin))
          .map((t) => t.name)
          .filter((n) => pattern.test(n))
          .sort()
          .at(-1);
      } finally {
        await admin.close();
      }
      if (topic === undefined) throw new Error(`no replicated topic in ${flow.source}`);
      // The copy's end before the marker: it must grow. (Its lag by end offsets may never reach
      // 0 when the flow resumes from stored offsets, after a policy switch for instance.)
      const copyEnd = async (): Promise<bigint> =>
        (await this.replicationLag()).find(
          (l) => l.flow === `${flow.source}->${flow.target}` && l.source === topic,
        )?.remoteEnd ?? 0n;
      const before = await copyEnd();
      const producer = new Producer({
        clientId: "kp-regions-marker",
        ...platformaticOptions(src.bootstrapServers, src.caPemPath, src.adminCredentials),
        acks: ProduceAcks.ALL,
      });
      try {
        await producer.send({
          messages: [
            {
              topic,
              key: Buffer.from("marker"),
              value: Buffer.from(JSON.stringify({ id: "marker", sentAt: Date.now() })),
            },
          ],
        });
      } finally {
        await producer.close();
      }
      const deadline = Date.now() + timeoutMs;
      const mm = this.mirrorMaker(flow);
      while ((await copyEnd()) <= before) {
        if (mm.pid() === undefined) {
          throw new Error(
            `MirrorMaker ${flow.source}->${flow.target} is not running: ${mm.lastError() ?? "it left no error"}; see ${mm.files.log}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `MirrorMaker ${flow.source}->${flow.target} replicated nothing of ${topic} in ${timeoutMs / 1000}s; see ${mm.files.log}`,
          );
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      this.log(`MirrorMaker ${flow.source}->${flow.target} replicates (${topic})`);
    }
  }

  /**
   * Replication lag per replicated topic: records at the end of the source topic that the remote
   * topic does not hold (sum over partitions of source end - remote end, which is exact while
   * nothing but MirrorMaker writes the remote topic and it wrote no duplicates; after a crash
   * the duplicates show as `extra` and hide as many missing records, so a test that must prove
   * nothing is lost reads the records themselves).
   */
  async replicationLag(): Promise<TopicReplicationLag[]> {
    const result: TopicReplicationLag[] = [];
    for (const flow of this.flows()) {
      const src = this.admin(this.clusterOf(flow.source));
      const dst = this.admin(this.clusterOf(flow.target));
      try {
        const pattern = new RegExp(`^(?:${flow.topicsPattern})$`);
        const topics = (await listTopicSummaries(src)).filter((t) => pattern.test(t.name));
        const remoteNames = new Map(
          (await listTopicSummaries(dst)).map((t) => [t.name, t.partitions] as const),
        );
        for (const t of topics) {
          const remote = remoteTopicName(flow.policy, flow.source, t.name);
          const sum = (m: Map<number, bigint>): bigint =>
            [...m.values()].reduce((n, v) => n + v, 0n);
          const sourceEnd = sum(await partitionOffsets(src, t.name, t.partitions, "latest"));
          const remoteParts = remoteNames.get(remote);
          const remoteEnd =
            remoteParts === undefined
              ? 0n
              : sum(await partitionOffsets(dst, remote, remoteParts, "latest"));
          result.push({
            flow: `${flow.source}->${flow.target}`,
            source: t.name,
            remote,
            sourceEnd,
            remoteEnd,
            lag: sourceEnd > remoteEnd ? sourceEnd - remoteEnd : 0n,
            extra: remoteEnd > sourceEnd ? remoteEnd - sourceEnd : 0n,
          });
        }
      } finally {
        await src.close();
        await dst.close();
      }
    }
    return result;
  }
}
