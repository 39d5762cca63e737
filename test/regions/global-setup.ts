import type { TestProject } from "vitest/node";
import { LocalRegions } from "../../local/regions.ts";
import { regionSpecsFromEnv } from "./support.ts";

/**
 * Starts two independent local 3-node clusters (fresh data, each its own CA and credentials),
 * applies the dev catalog to both and the MirrorMaker users, and starts MirrorMaker 2 in
 * dedicated mode active-passive (us-east-1 → eu-west-1). Teardown stops every MirrorMaker
 * process of either mode and both clusters, by pid, also when setup fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const specs = regionSpecsFromEnv();
  const started = Date.now();
  // Seconds since the setup began on each line: where a slow start spends its time.
  const log = (line: string): void =>
    console.log(`[regions +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
  const passive = new LocalRegions({ ...specs, mode: "active-passive", log });
  const teardown = async (): Promise<void> => {
    await new LocalRegions({ ...specs, mode: "active-active", log }).down();
  };
  try {
    const t0 = Date.now();
    await passive.startClusters({ fresh: true });
    await passive.startMirrorMakers();
    // MirrorMaker takes 20-30 s to its first replicated record on an idle machine, minutes under load.
    await passive.waitUntilMirroring(300_000);
    log(`two regions and MirrorMaker 2 started in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    project.provide("regions", specs);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
