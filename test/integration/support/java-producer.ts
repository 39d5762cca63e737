import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterConnectionInfo } from "../../../local/cluster.ts";
import type { ScramCredential } from "../../../local/credentials.ts";
import { runKafkaTool, type ToolResult } from "../../../local/java.ts";
import { renderClientProperties } from "../../../local/node-config.ts";

/**
 * Runs Kafka's own Java producer (kafka-producer-perf-test) as `credential`, transactional
 * with `transactionalId`: an independent client whose transactions use the client versions
 * of the protocol. The credential goes to a 0600 file in a private temp dir, removed after.
 */
export async function javaTransactionalProduce(
  info: ClusterConnectionInfo,
  credential: ScramCredential,
  topic: string,
  transactionalId: string,
): Promise<ToolResult> {
  const dir = mkdtempSync(join(tmpdir(), "kp-java-producer-"));
  const config = join(dir, "client.properties");
  writeFileSync(config, renderClientProperties(credential, info.caPemPath), { mode: 0o600 });
  try {
    return await runKafkaTool(
      "org.apache.kafka.tools.ProducerPerformance",
      [
        "--topic",
        topic,
        "--num-records",
        "20",
        "--record-size",
        "64",
        "--throughput",
        "-1",
        "--command-config",
        config,
        "--command-property",
        `bootstrap.servers=${info.bootstrapServers.join(",")}`,
        "acks=all",
        "--transactional-id",
        transactionalId,
        "--transaction-duration-ms",
        "500",
      ],
      { log4jConfig: join(info.dir, "log4j2-tools.properties") },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
