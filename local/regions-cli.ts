import { intOption, progress, runTool, stringOption, type Verb } from "./cli-support.ts";
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
} as const;

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
    log: progress,
  });
}

const verbs: Verb[] = [
  {
    name: "up",
    summary:
      "Start both clusters (us-east-1 = <instance>-a on the port base, eu-west-1 = <instance>-b on +100), apply the dev catalog and the MirrorMaker users, start MirrorMaker 2.",
    usage: "[--instance regions] [--port-base 29000] [--mode active-passive] [--fresh] [--dry-run]",
    details:
      "active-passive mirrors us-east-1 -> eu-west-1 with the identity policy; active-active both ways with prefixed names\n" +
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
      const pids = regions.startMirrorMakers();
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
    usage: "[--instance regions] [--port-base 29000] [--mode active-passive]",
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
    usage: "[--instance regions] [--port-base 29000] [--mode active-passive] [--stop]",
    options: { ...options, stop: { type: "boolean" } },
    run: async (values) => {
      const regions = regionsFrom(values);
      if (values.stop === true) {
        const pids = await regions.stopMirrorMakers();
        progress(pids.length > 0 ? `stopped pids ${pids.join(", ")}` : "not running");
        return 0;
      }
      await regions.applyMirrorUsers();
      progress(`MirrorMaker 2 pids ${regions.startMirrorMakers().join(", ")}`);
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
