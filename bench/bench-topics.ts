import { Admin } from "@platformatic/kafka";
import type { ClusterConnectionInfo } from "../local/cluster.ts";
import { TOPIC_MIN_INSYNC_REPLICAS, TOPIC_REPLICATION_FACTOR } from "../topics/policy.ts";

/** Creates a benchmark topic with the catalog's replication settings, as the admin. */
export async function createBenchTopic(
  info: ClusterConnectionInfo,
  caPem: string,
  topic: string,
  partitions: number,
): Promise<void> {
  const admin = new Admin({
    clientId: "bench-admin",
    bootstrapBrokers: [...info.bootstrapServers],
    tls: { ca: caPem },
    sasl: { mechanism: "SCRAM-SHA-512", ...info.admin },
  });
  try {
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: TOPIC_REPLICATION_FACTOR,
      configs: [{ name: "min.insync.replicas", value: String(TOPIC_MIN_INSYNC_REPLICAS) }],
    });
  } finally {
    await admin.close();
  }
}
