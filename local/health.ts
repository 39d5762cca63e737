import { type Connection, describeQuorumV2, metadataV12 } from "@platformatic/kafka";
import { authenticatesOn, onAnyBroker, type BrokerTarget } from "./broker-connection.ts";

export interface QuorumVoter {
  readonly id: number;
  readonly logEndOffset: bigint;
  /** Records the voter is behind the leader's high watermark. */
  readonly lag: bigint;
}

export interface QuorumStatus {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: bigint;
  readonly voters: readonly QuorumVoter[];
}

export interface UnderReplicatedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface ClusterProbe {
  /** Broker ids registered in the cluster metadata. */
  readonly brokers: readonly number[];
  readonly quorum: QuorumStatus;
  readonly topicCount: number;
  readonly underReplicated: readonly UnderReplicatedPartition[];
}

export type ProbeTarget = BrokerTarget;

const PROBE_CONNECTION = {
  clientId: "kafka-platform-health",
  connectTimeoutMs: 3000,
  requestTimeoutMs: 5000,
};

async function describeQuorum(connection: Connection): Promise<QuorumStatus> {
  const response = await describeQuorumV2.api.async(connection, [
    { topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] },
  ]);
  const partition = response.topics[0]?.partitions[0];
  if (response.errorCode !== 0 || partition === undefined || partition.errorCode !== 0) {
    throw new Error(
      `DescribeQuorum failed: ${response.errorMessage ?? partition?.errorMessage ?? `error ${response.errorCode}`}`,
    );
  }
  return {
    leaderId: partition.leaderId,
    leaderEpoch: partition.leaderEpoch,
    highWatermark: partition.highWatermark,
    voters: partition.currentVoters.map((v) => ({
      id: v.replicaId,
      logEndOffset: v.logEndOffset,
      lag: partition.highWatermark > v.logEndOffset ? partition.highWatermark - v.logEndOffset : 0n,
    })),
  };
}

/**
 * One look at the cluster through the admin user: registered brokers, quorum, replication.
 * Uses the raw Metadata request for all topics, because the high-level client hides the
 * internal ones (__consumer_offsets, __transaction_state) whose replication matters too.
 */
export function probeCluster(target: ProbeTarget): Promise<ClusterProbe> {
  return onAnyBroker(target, PROBE_CONNECTION, async (connection) => {
    const metadata = await metadataV12.api.async(connection, null, false, false);
    const underReplicated: UnderReplicatedPartition[] = [];
    for (const t of metadata.topics) {
      if (t.name === null || t.name === undefined) continue;
      for (const p of t.partitions) {
        if (p.isrNodes.length < p.replicaNodes.length) {
          underReplicated.push({
            topic: t.name,
            partition: p.partitionIndex,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
          });
        }
      }
    }
    const quorum = await describeQuorum(connection);
    return {
      brokers: metadata.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
      quorum,
      topicCount: metadata.topics.filter(
        (t) => t.isInternal !== true && !(t.name ?? "").startsWith("__"),
      ).length,
      underReplicated,
    };
  });
}

export interface HealthExpectation {
  /** Node ids that must be registered brokers and quorum voters. */
  readonly nodes: readonly number[];
  /** Also require every partition's ISR to be complete (default true). */
  readonly fullyReplicated?: boolean;
}

/** Why the probe is not healthy yet, or undefined when it is. */
export function unhealthyReason(
  probe: ClusterProbe,
  expect: HealthExpectation,
): string | undefined {
  const missing = expect.nodes.filter((id) => !probe.brokers.includes(id));
  if (missing.length > 0) return `brokers not registered yet: ${missing.join(", ")}`;
  if (probe.quorum.leaderId < 0) return "the controller quorum has no leader";
  if (expect.fullyReplicated !== false && probe.underReplicated.length > 0) {
    return `${probe.underReplicated.length} under-replicated partitions`;
  }
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Why one of `nodes` does not accept the admin's login, or undefined when each does. A node's
 * bootstrap server is the one at its id (the local clusters list every node in id order). The
 * probe above talks to any one broker: in one CI run a restarted node registered and rejoined
 * the quorum but refused every SCRAM login, and the next test hung on it.
 */
async function refusedLogin(
  target: ProbeTarget,
  nodes: readonly number[],
): Promise<string | undefined> {
  for (const id of nodes) {
    const server = target.bootstrapServers[id];
    if (server === undefined) continue;
    const refused = await authenticatesOn(server, target.caPemPath, target.admin, PROBE_CONNECTION);
    if (refused !== undefined)
      return `node ${id} (${server}) refuses the admin's login: ${refused}`;
  }
  return undefined;
}

/** Polls until healthy; throws with the last reason after `timeoutMs`. */
export async function waitUntilHealthy(
  target: ProbeTarget,
  expect: HealthExpectation,
  timeoutMs: number,
  onWait: (reason: string) => void = () => {},
  beforeEachProbe: () => Promise<void> = () => Promise.resolve(),
): Promise<ClusterProbe> {
  const deadline = Date.now() + timeoutMs;
  let reason = "not probed yet";
  while (Date.now() < deadline) {
    await beforeEachProbe();
    try {
      const probe = await probeCluster(target);
      const why = unhealthyReason(probe, expect) ?? (await refusedLogin(target, expect.nodes));
      if (why === undefined) return probe;
      reason = why;
    } catch (e) {
      reason = (e as Error).message;
    }
    onWait(reason);
    await sleep(1000);
  }
  throw new Error(`cluster not healthy after ${Math.round(timeoutMs / 1000)}s: ${reason}`);
}
