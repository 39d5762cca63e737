import { readFileSync, writeFileSync } from "node:fs";
import { intOption, progress, runTool, stringOption, type Verb } from "./cli-support.ts";
import {
  renderOffsetToolProperties,
  sourceOffsetsRequest,
  type SourceStartOffset,
} from "./mirror-maker.ts";
import { LocalRegions } from "./regions.ts";

/**
 * `npm run regions -- <verb>`: two local "regions" (two independent 3-node clusters, each with
 * its own CA and credentials) and MirrorMaker 2 between them in dedicated mode (decision 0013).
 */
const TOOL = "npm run regions --";

const options = {
  instance: { type: "string", short: "i", default: "regions" },
  "port-base": { type: "string", short: "p", default: "29000" },
  mode: { type: "string", short: "m", default: "active-passive" },
  active: { type: "string", short: "a", default: "us-east-1" },
} as const;

const REGIONS = ["us-east-1", "eu-west-1"] as const;

function regionOption(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = stringOption(values, name) ?? "us-east-1";
  if (!(REGIONS as readonly string[]).includes(v)) {
    throw new Error(`--${name} must be ${REGIONS.join(" or ")} (got ${v})`);
  }
  return v;
}

/** Reads the offsets `end-offsets --out` wrote: [{topic, partition, next}], checked. */
function readOffsetsFile(file: string): SourceStartOffset[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(
      `${file}: not a JSON file of end offsets (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    );
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a list of {topic, partition, next}`);
  return raw.map((o: unknown, i) => {
    const r = o as { topic?: unknown; partition?: unknown; next?: unknown };
    if (
      typeof r.topic !== "string" ||
      !Number.isInteger(r.partition) ||
      !(typeof r.next === "string" || Number.isInteger(r.next))
    ) {
      throw new Error(
        `${file}: entry ${i} must have topic (string), partition (integer) and next (integer), got ${JSON.stringify(o)}`,
      );
    }
    return {
      topic: r.topic,
      partition: r.partition as number,
      next: BigInt(r.next as string | number),
    };
  });
}

function regionsFrom(values: Record<string, string | boolean | undefined>): LocalRegions {
  const mode = stringOption(values, "mode") ?? "active-passive";
  if (mode !== "active-passive" && mode !== "active-active") {
    throw new Error(`--mode must be active-passive or active-active (got ${mode})`);
  }
  const prefix = stringOption(values, "instance") ?? "regions";
  const base = intOption(values, "port-base", 29000);
  return new LocalRegions({
    a: { instance: `${prefix}-a`, portBase: base, alias: "us-east-1" },
    b: { instance: `${prefix}-b`, portBase: base + 100, alias: "eu-west-1" },
    mode,
    active: regionOption(values, "active"),
    log: progress,
  });
}

const verbs: Verb[] = [
  {
    name: "up",
    summary:
      "Start both clusters (us-east-1 = <instance>-a on the port base, eu-west-1 = <instance>-b on +100), apply the dev catalog and the MirrorMaker users, start MirrorMaker 2.",
    usage:
      "[--instance regions] [--port-base 29000] [--mode active-passive] [--active us-east-1] [--fresh] [--dry-run]",
    details:
      "active-passive mirrors the --active region to the other with the identity policy; active-active both ways with prefixed names\n" +
      "(one dedicated-mode process per direction). Topics, groups and connector settings come from Pulumi.prod-eu-west-1.yaml's\n" +
      "mirrorMaker section through the same model as the KafkaMirrorMaker2. --dry-run prints the generated properties\n" +
      "(passwords masked) of a running pair and starts nothing. Metrics of each process: the target's port base + 30.",
    options: { ...options, fresh: { type: "boolean" }, "dry-run": { type: "boolean" } },
    run: async (values) => {
      const regions = regionsFrom(values);
      if (values["dry-run"] === true) {
        for (const flow of regions.flows()) {
          progress(`# ${flow.source} -> ${flow.target}`);
          progress(regions.properties(flow).replace(/password="[^"]*"/g, 'password="***"'));
        }
        return 0;
      }
      const t0 = Date.now();
      await regions.startClusters({ fresh: values.fresh === true });
      const pids = await regions.startMirrorMakers();
      progress(
        `regions up after ${((Date.now() - t0) / 1000).toFixed(1)}s; MirrorMaker 2 pids ${pids.join(", ")}`,
      );
      return 0;
    },
  },
  {
    name: "status",
    summary:
      "Replication lag per replicated topic (records in the source not yet in the copy) and the MirrorMaker processes.",
    usage: "[--instance regions] [--port-base 29000] [--mode active-passive] [--active us-east-1]",
    options,
    run: async (values) => {
      const regions = regionsFrom(values);
      for (const flow of regions.flows()) {
        const pid = regions.mirrorMaker(flow).pid();
        progress(
          `${flow.source} -> ${flow.target}: MirrorMaker ${pid === undefined ? "STOPPED" : `running pid ${pid}`}`,
        );
      }
      const lag = await regions.replicationLag();
      progress("");
      progress(
        `${"flow".padEnd(22)} ${"topic".padEnd(28)} ${"copy".padEnd(38)} ${"source end".padStart(10)} ${"lag".padStart(8)} ${"extra".padStart(6)}`,
      );
      for (const l of lag) {
        progress(
          `${l.flow.padEnd(22)} ${l.source.padEnd(28)} ${l.remote.padEnd(38)} ${String(l.sourceEnd).padStart(10)} ${String(l.lag).padStart(8)} ${String(l.extra).padStart(6)}`,
        );
      }
      return lag.some((l) => l.lag > 0n) ? 1 : 0;
    },
  },
  {
    name: "mirror-maker",
    summary: "Start (default) or --stop the MirrorMaker 2 processes of the pair, by pid.",
    usage:
      "[--instance regions] [--port-base 29000] [--mode active-passive] [--active us-east-1] [--stop]",
    details:
      "In active-passive one process copies the --active region (where producers write) to the other: after a failover to\n" +
      "eu-west-1, `--active eu-west-1` is the reverse flow of the failback (docs/runbooks/failover.md).",
    options: { ...options, stop: { type: "boolean" } },
    run: async (values) => {
      const regions = regionsFrom(values);
      if (values.stop === true) {
        const pids = await regions.stopMirrorMakers();
        progress(pids.length > 0 ? `stopped pids ${pids.join(", ")}` : "not running");
        return 0;
      }
      await regions.applyMirrorUsers();
      progress(`MirrorMaker 2 pids ${(await regions.startMirrorMakers()).join(", ")}`);
      return 0;
    },
  },
  {
    name: "end-offsets",
    summary:
      "Print (or --out <file>) where each replicated topic of --region ends now, per partition: recorded at a failover.",
    usage: "--region eu-west-1 [--out offsets.json] [--instance regions] [--port-base 29000]",
    details:
      "At a failover (docs/runbooks/failover.md, step 4) this records where the new active region's topics end before its\n" +
      "producers write: the failback's reverse flow copies from there (mirror-offsets --from).",
    options: {
      ...options,
      region: { type: "string", short: "r" },
      out: { type: "string", short: "o" },
    },
    run: async (values) => {
      if (stringOption(values, "region") === undefined) throw new Error("--region is required");
      const region = regionOption(values, "region");
      const offsets = await regionsFrom(values).endOffsets(region);
      const json = `${JSON.stringify(
        offsets.map((o) => ({ ...o, next: Number(o.next) })),
        null,
        2,
      )}\n`;
      const out = stringOption(values, "out");
      if (out === undefined) progress(json.trimEnd());
      else {
        writeFileSync(out, json);
        progress(`${offsets.length} partitions of ${region} written to ${out}`);
      }
      return 0;
    },
  },
  {
    name: "mirror-offsets",
    summary:
      "Set where the --active region's flow starts copying (its MirrorMaker stopped): --from <file> of end-offsets, or --to-end.",
    usage:
      "(--from offsets.json | --to-end) [--active us-east-1] [--dry-run] [--instance regions] [--port-base 29000]",
    details:
      "The local counterpart of KafkaMirrorMaker2's sourceConnector.alterOffsets: dedicated mode has no REST API, so a\n" +
      "short-lived Kafka Connect worker (REST on the target's port base + 31) on the flow's offsets topic sets them\n" +
      "through Connect's offsets API. --to-end: the source region's current end (the switch back after a failback).\n" +
      "--dry-run prints the worker properties (passwords masked) and the offsets request; it changes nothing.",
    options: {
      ...options,
      from: { type: "string", short: "f" },
      "to-end": { type: "boolean" },
      "dry-run": { type: "boolean" },
    },
    run: async (values) => {
      const regions = regionsFrom(values);
      const from = stringOption(values, "from");
      if ((from === undefined) === (values["to-end"] !== true)) {
        throw new Error("give exactly one of --from <file> and --to-end");
      }
      const [flow] = regions.flows();
      if (flow === undefined || regions.mode !== "active-passive") {
        throw new Error("mirror-offsets sets the one flow of --mode active-passive");
      }
      const offsets =
        from !== undefined ? readOffsetsFile(from) : await regions.endOffsets(flow.source);
      if (values["dry-run"] === true) {
        const first = flow.target === regions.specs[0].alias;
        const target = first ? regions.a : regions.b;
        const port = (first ? regions.specs[0] : regions.specs[1]).portBase + 31;
        progress(`# Kafka Connect worker on ${flow.target} (${flow.source}->${flow.target})`);
        progress(
          renderOffsetToolProperties(
            flow,
            {
              alias: flow.target,
              bootstrapServers: target.bootstrapServers,
              caPemPath: target.caPemPath,
              credential: target.adminCredentials,
            },
            port,
          ).replace(/password="[^"]*"/g, 'password="***"'),
        );
        progress(`# PATCH /connectors/MirrorSourceConnector/offsets`);
        progress(JSON.stringify(sourceOffsetsRequest(flow, offsets), null, 2));
        return 0;
      }
      await regions.alterSourceOffsets(flow, offsets);
      return 0;
    },
  },
  {
    name: "down",
    summary: "Stop every MirrorMaker process (both modes) and both clusters, by pid.",
    usage: "[--instance regions] [--port-base 29000]",
    options,
    run: async (values) => {
      await regionsFrom({ ...values, mode: "active-active" }).down();
      return 0;
    },
  },
];

const code = await runTool(
  TOOL,
  "Two local regions with MirrorMaker 2 between them (docs/mirror-maker.md).",
  verbs,
  process.argv.slice(2),
);
process.exit(code);
