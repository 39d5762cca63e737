import type { LocalCluster } from "./cluster.ts";
import type { ClusterProbe } from "./health.ts";
import { LOOPBACK_HOST } from "./ports.ts";

/** The `status` text: nodes and pids, registered brokers, quorum (leader, voters, lag), URPs. */
export function formatStatus(
  cluster: LocalCluster,
  probe: ClusterProbe | Error | undefined,
): string[] {
  const running = new Map(cluster.runningNodes().map((n) => [n.id, n.pid] as const));
  const lines = [
    `instance ${cluster.instance} (port base ${cluster.portBase}, ${cluster.dir})`,
    "nodes (broker + controller):",
  ];
  for (const n of cluster.nodes) {
    const pid = running.get(n.id);
    lines.push(
      `  node ${n.id}  ${pid === undefined ? "stopped       " : `running pid ${String(pid).padEnd(7)}`}` +
        `client ${LOOPBACK_HOST}:${n.client}  controller ${n.controller}  metrics http://${LOOPBACK_HOST}:${n.metrics}/metrics`,
    );
  }
  if (probe === undefined) return [...lines, "cluster: not running (npm run local -- up)"];
  if (probe instanceof Error) return [...lines, `cluster: unreachable: ${probe.message}`];
  const missing = cluster.nodes.map((n) => n.id).filter((id) => !probe.brokers.includes(id));
  lines.push(
    `brokers registered: ${probe.brokers.length} (${probe.brokers.join(", ")})${missing.length > 0 ? `  MISSING: ${missing.join(", ")}` : ""}`,
  );
  const q = probe.quorum;
  lines.push(
    `controller quorum: leader ${q.leaderId < 0 ? "NONE" : `node ${q.leaderId}`}, epoch ${q.leaderEpoch}, high watermark ${q.highWatermark}, ${q.voters.length} voters`,
  );
  for (const v of q.voters) {
    lines.push(
      `  voter ${v.id}${v.id === q.leaderId ? " (leader)" : "         "}  log end offset ${v.logEndOffset}  lag ${v.lag}`,
    );
  }
  lines.push(`topics: ${probe.topicCount} (internal ones not counted)`);
  lines.push(`under-replicated partitions: ${probe.underReplicated.length}`);
  for (const p of probe.underReplicated.slice(0, 20)) {
    lines.push(
      `  ${p.topic}-${p.partition}  replicas [${p.replicas.join(",")}]  isr [${p.isr.join(",")}]`,
    );
  }
  if (probe.underReplicated.length > 20)
    lines.push(`  ... and ${probe.underReplicated.length - 20} more`);
  return lines;
}
