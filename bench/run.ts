import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { ConnectionConfig } from "../client/config.ts";
import { createEnvelope, encodeEnvelope } from "../client/index.ts";
import { createBenchTopic } from "./bench-topics.ts";
import { CpuMeter } from "./cpu-meter.ts";
import { javaConsumerPerf, javaProducerPerf } from "./java-perf.ts";
import { startBenchCluster } from "./local-instance.ts";
import {
  benchEvent,
  moduleConsumerPerf,
  moduleEndToEnd,
  moduleProducerPerf,
  paddedText,
} from "./module-perf.ts";
import { rawConsumerPerf, rawProducerPerf } from "./raw-library.ts";
import { formatSchemaRegistryLine, runSchemaRegistryBench } from "./schema-registry.ts";
import { LocalRegistry } from "../local/registry.ts";
import { main as schemasCommand } from "../scripts/schemas.ts";
import { fmt } from "./stats.ts";

const HELP = `Usage: npm run bench [-- --messages N] [--rounds K] [--seconds S] [--warmup N]

Starts its own local Kafka cluster (instance $KP_BENCH_INSTANCE, default client-bench, ports
from $KP_BENCH_PORT_BASE, default 39100; loopback only), applies the dev catalog, warms the
brokers, and measures with the catalog's topic settings (32 partitions, replication factor 3,
min.insync.replicas 2; acks=all, idempotent, lz4, linger 5 ms; ~1 KiB envelopes):
  1. the module against its own library (librdkafka through @confluentinc/kafka-javascript)
     used raw with the module's settings: producer and consumer msg/s and client CPU per message
  2. the module against Kafka's Java ProducerPerformance / ConsumerPerformance
  3. end to end: the highest rate (of a fixed ladder) at which Java's producer gets its
     acknowledgements with p99 < 100 ms, then the module's send → handler latency at that rate
     (consumer in its own process) against Java's acknowledgement p99 at that rate
  4. the Schema Registry wire format (a local Apicurio Registry with the catalog's schemas
     registered, ids cached): CPU per message against plain JSON, as a share of the module's
     own client CPU per message (producer + consumer) from step 1
Each throughput run is repeated K rounds, the sides in turn; the best of each is compared.

Options:
  --messages N   messages per throughput run (default 200000)
  --rounds K     throughput runs per side (default 2)
  --seconds S    duration of each end-to-end run and of Java's run at that rate (default 20)
  --warmup N     records each producer sends before measuring (default 100000)
  --help         this text`;

const { values: args } = parseArgs({
  options: {
    help: { type: "boolean", default: false },
    messages: { type: "string", default: "200000" },
    rounds: { type: "string", default: "2" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "100000" },
  },
});
if (args.help === true) {
  console.log(HELP);
  process.exit(0);
}
const MESSAGES = Number(args.messages);
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
for (const [name, v] of [
  ["messages", MESSAGES],
  ["rounds", ROUNDS],
  ["seconds", SECONDS],
  ["warmup", WARMUP],
] as const) {
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} must be a positive whole number, got "${String(args[name])}"`);
    process.exit(2);
  }
}
const VALUE_BYTES = 1024;
const PARTITIONS = 32; // chat.messages.<tenant> in the catalog
/** Rates tried for Java's producer, in order, until its acknowledgement p99 reaches 100 ms. */
const RATE_LADDER = [
  250, 500, 1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 10_000, 13_000, 16_000, 20_000,
];
const SEARCH_SECONDS = 10;
/** Seconds at the start of each latency run left out of its figures (connections, JIT). */
const WARMUP_SECONDS = 2;
const ACK_P99_LIMIT_MS = 100;

const t0 = Date.now();
const log = (line: string): void => {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`);
};

log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, loopback, 3 Kafka nodes on this host`,
);
log(`node ${process.version}, NODE_OPTIONS="${(process.env.NODE_OPTIONS ?? "").trim()}"`);
log("starting the benchmark cluster");
const { cluster, info } = await startBenchCluster(log);
const caPem = readFileSync(info.caPemPath, "utf8");
const connection = (service: string): ConnectionConfig => {
  const credential = info.services[service];
  if (credential === undefined) throw new Error(`no credential for ${service}`);
  return {
    bootstrapServers: info.bootstrapServers,
    username: credential.username,
    password: credential.password,
    caPem,
  };
};

type Run = { msgPerSec: number; brokerUs: number; clientUs: number };
const best = <T extends { msgPerSec: number }>(runs: readonly T[]): T =>
  runs.reduce((a, b) => (b.msgPerSec > a.msgPerSec ? b : a));
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");

let exitCode = 0;
try {
  const tenant = "bench";
  // Topics per round, so each consumer round reads its own records with the service's group.
  const moduleTopic = (round: number) => `chat.messages.${tenant}${round}` as const;
  const rawTopic = (round: number) => `chat.messages.${tenant}raw${round}` as const;
  const warmTopic = "chat.messages.benchwarmup" as const;
  const latencyTopic = "chat.messages.benchlatency" as const;
  const javaTopic = "bench.java";
  const javaSpreadTopic = "bench.java.spread";
  const rounds = Array.from({ length: ROUNDS }, (_, i) => i + 1);
  for (const t of [
    ...rounds.flatMap((r) => [moduleTopic(r), rawTopic(r)]),
    warmTopic,
    latencyTopic,
    javaTopic,
    javaSpreadTopic,
  ])
    await createBenchTopic(info, caPem, t, PARTITIONS);
  log(`topics: ${PARTITIONS} partitions each, RF 3, min.insync.replicas 2`);
  const brokerPids = cluster.runningNodes().map((n) => n.pid);
  const measured = async <T>(messages: number, run: () => Promise<T>): Promise<T & Run> => {
    const meter = new CpuMeter(brokerPids);
    const result = await run();
    return { msgPerSec: 0, ...result, ...meter.perMessage(messages) };
  };

  // The raw producer sends what the module would: envelopes of the same size with their two
  // headers, keys over 1,000 conversations, 1,000 distinct envelopes (ids, keys) so lz4 finds the
  // same redundancy in a batch of either. It serialises each record's envelope object (JSON and
  // a Buffer), as any service must encode what it sends; building, validating, keying and
  // tracing it is the module's work and stays out of the raw side.
  const text = paddedText(tenant, VALUE_BYTES);
  const pool = Array.from({ length: 1000 }, (_, i) =>
    createEnvelope({ ...benchEvent(tenant, i, text), source: "socket-service" }),
  );
  const headers = encodeEnvelope(pool[0]!).headers;
  const rawRecord = (i: number) => {
    const envelope = pool[i % pool.length] ?? pool[0]!;
    return { key: `c-${i % 1000}`, value: Buffer.from(JSON.stringify(envelope)), headers };
  };

  const warm = Math.min(WARMUP, MESSAGES);
  log(`warm-up: Java and module producers, ${fmt(warm)} records each (not measured)`);
  await javaProducerPerf(info, javaTopic, warm, VALUE_BYTES);
  await moduleProducerPerf(connection("socket-service"), warmTopic, tenant, warm, VALUE_BYTES);

  const producers = {
    sticky: [] as Run[],
    spread: [] as Run[],
    raw: [] as Run[],
    mod: [] as Run[],
  };
  for (const round of rounds) {
    log(`round ${round}/${ROUNDS}: producers, ${fmt(MESSAGES)} x ${VALUE_BYTES} B each`);
    const sticky = await measured(MESSAGES, () =>
      javaProducerPerf(info, javaTopic, MESSAGES, VALUE_BYTES),
    );
    const spread = await measured(MESSAGES, () =>
      javaProducerPerf(info, javaSpreadTopic, MESSAGES, VALUE_BYTES, { partitioning: "spread" }),
    );
    const raw = await measured(MESSAGES, () =>
      rawProducerPerf(connection("socket-service"), rawTopic(round), MESSAGES, rawRecord),
    );
    const mod = await measured(MESSAGES, () =>
      moduleProducerPerf(
        connection("socket-service"),
        moduleTopic(round),
        tenant,
        MESSAGES,
        VALUE_BYTES,
      ),
    );
    producers.sticky.push(sticky);
    producers.spread.push(spread);
    producers.raw.push(raw);
    producers.mod.push(mod);
    log(`  Java sticky ${fmt(sticky.msgPerSec)} msg/s (brokers ${fmt(sticky.brokerUs)} µs/msg)`);
    log(`  Java spread ${fmt(spread.msgPerSec)} msg/s (brokers ${fmt(spread.brokerUs)} µs/msg)`);
    log(
      `  raw library ${fmt(raw.msgPerSec)} msg/s, client ${fmt(raw.clientUs)} µs/msg, brokers ${fmt(raw.brokerUs)} µs/msg`,
    );
    log(
      `  module      ${fmt(mod.msgPerSec)} msg/s, client ${fmt(mod.clientUs)} µs/msg, brokers ${fmt(mod.brokerUs)} µs/msg`,
    );
  }

  const consumers = { java: [] as { msgPerSec: number }[], raw: [] as Run[], mod: [] as Run[] };
  for (const round of rounds) {
    log(`round ${round}/${ROUNDS}: consumers, ${fmt(MESSAGES)} messages each`);
    const java = await javaConsumerPerf(info, javaSpreadTopic, MESSAGES);
    const raw = await measured(MESSAGES, () =>
      rawConsumerPerf(connection("search-indexer"), rawTopic(round), MESSAGES),
    );
    const mod = await measured(MESSAGES, () =>
      moduleConsumerPerf(connection("search-indexer"), moduleTopic(round), MESSAGES),
    );
    consumers.java.push(java);
    consumers.raw.push(raw);
    consumers.mod.push(mod);
    log(`  Java ConsumerPerformance ${fmt(java.msgPerSec)} msg/s`);
    log(
      `  raw library (batches of 1,000, commit per batch) ${fmt(raw.msgPerSec)} msg/s, client ${fmt(raw.clientUs)} µs/msg`,
    );
    log(
      `  module (decode + validate + commit per batch) ${fmt(mod.msgPerSec)} msg/s, client ${fmt(mod.clientUs)} µs/msg`,
    );
  }

  log(
    `end to end: the highest rate at which Java's producer gets acks with p99 < ${ACK_P99_LIMIT_MS} ms`,
  );
  let rate = 0;
  for (const candidate of RATE_LADDER) {
    const java = await javaProducerPerf(
      info,
      javaSpreadTopic,
      candidate * SEARCH_SECONDS,
      VALUE_BYTES,
      { throughput: candidate, partitioning: "spread", warmupRecords: candidate * WARMUP_SECONDS },
    );
    const ok = java.p99Ms < ACK_P99_LIMIT_MS && java.msgPerSec >= 0.95 * candidate;
    log(
      `  ${fmt(candidate)} msg/s: Java achieved ${fmt(java.msgPerSec)} msg/s, ack p99 ${fmt(java.p99Ms)} ms${ok ? "" : " (over)"}`,
    );
    if (!ok) break;
    rate = candidate;
  }
  const passed = rate > 0;
  if (!passed) {
    rate = RATE_LADDER[0] ?? 250;
    log(`  no rate of the ladder passed; measuring at the lowest, ${fmt(rate)} msg/s`);
  }
  log(`module end to end at ${fmt(rate)} msg/s for ${SECONDS} s (consumer in its own process)`);
  const e2e = await measured(rate * SECONDS, () =>
    moduleEndToEnd(connection, latencyTopic, tenant, rate, SECONDS, VALUE_BYTES, log),
  );
  log(`Java producer at ${fmt(rate)} msg/s for ${SECONDS} s (records spread), send → ack`);
  const javaAtRate = await measured(rate * SECONDS, () =>
    javaProducerPerf(info, javaSpreadTopic, rate * SECONDS, VALUE_BYTES, {
      throughput: rate,
      partitioning: "spread",
      warmupRecords: rate * WARMUP_SECONDS,
    }),
  );

  const p = {
    sticky: best(producers.sticky),
    spread: best(producers.spread),
    raw: best(producers.raw),
    mod: best(producers.mod),
  };
  const c = { java: best(consumers.java), raw: best(consumers.raw), mod: best(consumers.mod) };
  const rows = [
    [
      "producer msg/s",
      fmt(p.mod.msgPerSec),
      fmt(p.raw.msgPerSec),
      ratio(p.mod.msgPerSec, p.raw.msgPerSec),
      `${fmt(p.spread.msgPerSec)} spread, ${fmt(p.sticky.msgPerSec)} sticky`,
      `${ratio(p.mod.msgPerSec, p.spread.msgPerSec)}, ${ratio(p.mod.msgPerSec, p.sticky.msgPerSec)}`,
    ],
    [
      "producer client CPU µs/msg",
      fmt(p.mod.clientUs, 1),
      fmt(p.raw.clientUs, 1),
      ratio(p.raw.clientUs, p.mod.clientUs),
      "",
      "",
    ],
    [
      "producer broker CPU µs/msg",
      fmt(p.mod.brokerUs),
      fmt(p.raw.brokerUs),
      "",
      `${fmt(p.spread.brokerUs)} spread, ${fmt(p.sticky.brokerUs)} sticky`,
      "",
    ],
    [
      "consumer msg/s",
      fmt(c.mod.msgPerSec),
      fmt(c.raw.msgPerSec),
      ratio(c.mod.msgPerSec, c.raw.msgPerSec),
      fmt(c.java.msgPerSec),
      ratio(c.mod.msgPerSec, c.java.msgPerSec),
    ],
    [
      "consumer client CPU µs/msg",
      fmt(c.mod.clientUs, 1),
      fmt(c.raw.clientUs, 1),
      ratio(c.raw.clientUs, c.mod.clientUs),
      "",
      "",
    ],
    [
      `e2e p50 / p99 @ ${fmt(rate)} msg/s`,
      `${fmt(e2e.p50, 1)} / ${fmt(e2e.p99, 1)} ms`,
      "",
      "",
      "",
      "",
    ],
    [
      `send → ack p50 / p99 @ ${fmt(rate)} msg/s`,
      `${fmt(e2e.ackP50, 1)} / ${fmt(e2e.ackP99, 1)} ms`,
      "",
      "",
      `${fmt(javaAtRate.p50Ms)} / ${fmt(javaAtRate.p99Ms)} ms`,
      ratio(e2e.ackP99, javaAtRate.p99Ms),
    ],
    [
      `achieved rate (of ${fmt(rate)} msg/s)`,
      fmt(e2e.achievedRate),
      "",
      "",
      fmt(javaAtRate.msgPerSec),
      "",
    ],
  ];
  console.log(
    `\nbest of ${ROUNDS} rounds each; ratios: module/raw (CPU: raw/module), module/Java\n| measure | module | raw librdkafka | module vs raw | Java perf tool | module/Java |\n|---|---|---|---|---|---|`,
  );
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  const e2eRatio = e2e.p99 / javaAtRate.p99Ms;
  console.log(
    `\ne2e at ${fmt(rate)} msg/s (${passed ? "the highest rate of the ladder" : "NO rate of the ladder had"} with Java's ack p99 < ${ACK_P99_LIMIT_MS} ms; first ${WARMUP_SECONDS} s of each run left out): module p99 ${fmt(e2e.p99, 1)} ms = ${e2eRatio.toFixed(2)}x Java's ack p99 ${fmt(javaAtRate.p99Ms)} ms`,
  );
  const met = (ok: boolean): string => (ok ? "met" : "NOT met");
  console.log(
    `goals: producer ≥ 0.85x raw: ${met(p.mod.msgPerSec >= 0.85 * p.raw.msgPerSec)}; consumer ≥ 0.85x raw: ${met(c.mod.msgPerSec >= 0.85 * c.raw.msgPerSec)}; e2e p99 ≤ 1.2x Java's ack p99: ${met(e2eRatio <= 1.2 && e2e.achievedRate >= 0.95 * rate)}`,
  );

  log("starting a local Schema Registry (Apicurio) on the benchmark cluster");
  const registry = new LocalRegistry(cluster);
  try {
    await registry.start({ log: (line) => log(`  [registry] ${line}`) });
    const registered = await schemasCommand(["register", "--registry", registry.url]);
    if (registered !== 0) throw new Error(`schemas register exited with ${registered}`);
    const wire = await runSchemaRegistryBench({ url: registry.url });
    console.log(formatSchemaRegistryLine(wire, p.mod.clientUs + c.mod.clientUs));
  } finally {
    await registry.stop();
  }
} catch (error) {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  log("stopping the benchmark cluster");
  await cluster.stop();
}
process.exit(exitCode);
