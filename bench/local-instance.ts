import { applyCatalog } from "../local/apply/apply.ts";
import { LocalCluster, type ClusterConnectionInfo } from "../local/cluster.ts";

/** Benchmarks run on their own local cluster instance so they never disturb tests or dev. */
export const BENCH_INSTANCE = process.env.KP_BENCH_INSTANCE ?? "client-bench";
export const BENCH_PORT_BASE = Number(process.env.KP_BENCH_PORT_BASE ?? "39100");

export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly info: ClusterConnectionInfo;
}

/** Starts a fresh instance and applies the dev catalog (topics, service users, ACLs). */
export async function startBenchCluster(log: (line: string) => void): Promise<BenchCluster> {
  const cluster = new LocalCluster({
    instance: BENCH_INSTANCE,
    portBase: BENCH_PORT_BASE,
    // Tiered JIT whatever $KP_LOCAL_JIT says: the figures are of a cluster at full speed.
    jit: "full",
    log: (line) => log(`  [cluster] ${line}`),
  });
  try {
    await cluster.start({ fresh: true });
    await applyCatalog(cluster, { stack: "dev", log: (line) => log(`  [apply] ${line}`) });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { cluster, info: cluster.connectionInfo() };
}
