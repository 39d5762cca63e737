import { LocalCluster, type ClusterConnectionInfo } from "../local/cluster.ts";

/** Benchmarks run on their own local cluster instance so they never disturb tests or dev. */
export const BENCH_INSTANCE = process.env.KP_BENCH_INSTANCE ?? "client-bench";
export const BENCH_PORT_BASE = Number(process.env.KP_BENCH_PORT_BASE ?? "39100");

export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly info: ClusterConnectionInfo;
}

export async function startBenchCluster(log: (line: string) => void): Promise<BenchCluster> {
  const cluster = new LocalCluster({
    instance: BENCH_INSTANCE,
    portBase: BENCH_PORT_BASE,
    log: (line) => log(`  [cluster] ${line}`),
  });
  await cluster.start({ fresh: true });
  return { cluster, info: cluster.connectionInfo() };
}
