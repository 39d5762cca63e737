import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { applyCatalog } from "../../local/apply/apply.ts";
import { LocalCluster } from "../../local/cluster.ts";
import { testClusterTarget } from "./support/cluster-env.ts";

/**
 * Starts ONE real 3-node Kafka cluster (fresh data) for the whole integration project, applies
 * the dev stack's catalog (topics, users, ACLs), and provides the connection info to the test
 * files (see ./support/cluster.ts). Stops every node at teardown, and also when setup fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = testClusterTarget();
  const log = (line: string): void => console.log(`[kafka ${target.instance}] ${line}`);
  const cluster = new LocalCluster({ ...target, log });
  const teardown = async (): Promise<void> => {
    await cluster.stop();
  };
  try {
    await cluster.start({ fresh: true });
    await applyCatalog(cluster, { stack: "dev", log });
    const info = cluster.connectionInfo();
    writeFileSync(join(cluster.dir, "connection.json"), `${JSON.stringify(info, null, 2)}\n`, {
      mode: 0o600,
    });
    project.provide("kafkaCluster", info);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
