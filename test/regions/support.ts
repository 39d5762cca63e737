import { inject } from "vitest";
import type { LocalCluster } from "../../local/cluster.ts";
import type { ScramCredential } from "../../local/credentials.ts";
import {
  platformaticOptions,
  type PlatformaticConnectionOptions,
} from "../../local/kafka-client-options.ts";
import { LocalRegions, type RegionMode, type RegionSpec } from "../../local/regions.ts";

/**
 * The two local regions the project's global setup started (test/regions/global-setup.ts):
 * instances `<KP_REGIONS_INSTANCE>a` and `...b` (default `regions-a`/`regions-b`) on port bases
 * KP_REGIONS_PORT_BASE and +100 (default 29000), aliases us-east-1 and eu-west-1.
 */
declare module "vitest" {
  export interface ProvidedContext {
    regions: { a: RegionSpec; b: RegionSpec };
  }
}

export function regionSpecsFromEnv(): { a: RegionSpec; b: RegionSpec } {
  const prefix = process.env.KP_REGIONS_INSTANCE;
  const base = Number(process.env.KP_REGIONS_PORT_BASE ?? "29000");
  return {
    a: {
      instance: prefix === undefined ? "regions-a" : `${prefix}a`,
      portBase: base,
      alias: "us-east-1",
    },
    b: {
      instance: prefix === undefined ? "regions-b" : `${prefix}b`,
      portBase: base + 100,
      alias: "eu-west-1",
    },
  };
}

/** The regions in `mode`; in active-passive `active` (default us-east-1) is the flow's source. */
export function testRegions(
  mode: RegionMode,
  log?: (line: string) => void,
  active?: string,
): LocalRegions {
  const specs = inject("regions");
  return new LocalRegions({
    ...specs,
    mode,
    ...(active === undefined ? {} : { active }),
    ...(log === undefined ? {} : { log }),
  });
}

export function clientOptions(
  cluster: LocalCluster,
  credential?: ScramCredential,
): PlatformaticConnectionOptions {
  return platformaticOptions(
    cluster.bootstrapServers,
    cluster.caPemPath,
    credential ?? cluster.adminCredentials,
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${last === undefined ? "" : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`,
      );
    }
    await sleep(everyMs);
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
