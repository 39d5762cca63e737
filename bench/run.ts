import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { ConnectionConfig } from "../client/config.ts";
import { createBenchTopic } from "./bench-topics.ts";
import { javaConsumerPerf, javaProducerPerf } from "./java-perf.ts";
import { startBenchCluster } from "./local-instance.ts";
import { moduleConsumerPerf, moduleEndToEnd, moduleProducerPerf } from "./module-perf.ts";
import { fmt } from "./stats.ts";

const HELP = `Usage: npm run bench [-- --messages N] [--rate MSG_PER_S] [--seconds S]

Starts its own local Kafka cluster (instance $KP_BENCH_INSTANCE, default client-bench, ports
from $KP_BENCH_PORT_BASE, default 39100; loopback only), applies the dev catalog, and measures
with the catalog's topic settings (replication factor 3, min.insync.replicas 2, acks=all,
idempotent, lz4, linger 5 ms, ~1 KiB values):
  - the client module: producer msg/s and MB/s, consumer msg/s, end-to-end p50/p99 at a fixed rate
  - Kafka's Java ProducerPerformance / ConsumerPerformance on the same cluster and settings
then prints module/Java ratios and stops the cluster.

Options:
  --messages N   messages per throughput run (default 200000)
  --rate R       end-to-end test rate in msg/s (default 10000)
  --seconds S    end-to-end test duration (default 20)
  --help         this text`;

const { values: args } = parseArgs({
  options: {
    help: { type: "boolean", default: false },
    messages: { type: "string", default: "200000" },
    rate: { type: "string", default: "10000" },
    seconds: { type: "string", default: "20" },
  },
});
if (args.help === true) {
  console.log(HELP);
  process.exit(0);
}
const MESSAGES = Number(args.messages);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const VALUE_BYTES = 1024;
const PARTITIONS = 32; // chat.messages.<tenant> in the catalog
for (const [name, v] of [
  ["messages", MESSAGES],
  ["rate", RATE],
  ["seconds", SECONDS],
] as const) {
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} must be a positive whole number, got "${String(args[name])}"`);
    process.exit(2);
  }
}

const t0 = Date.now();
const log = (line: string): void => {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`);
};

log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, loopback, 3 Kafka nodes on this host`,
);
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

let exitCode = 0;
try {
  const tenant = "bench";
  const topic = `chat.messages.${tenant}` as const;
  const latencyTopic = `chat.messages.benchlatency` as const;
  const javaTopic = "bench.java";
  for (const t of [topic, latencyTopic, javaTopic])
    await createBenchTopic(info, caPem, t, PARTITIONS);
  log(
    `topics ${topic}, ${latencyTopic}, ${javaTopic}: ${PARTITIONS} partitions, RF 3, min.insync.replicas 2`,
  );

  log(`Java ProducerPerformance: ${fmt(MESSAGES)} x ${VALUE_BYTES} B`);
  const javaProducer = await javaProducerPerf(info, javaTopic, MESSAGES, VALUE_BYTES);
  log(
    `  ${fmt(javaProducer.msgPerSec)} msg/s, ${fmt(javaProducer.mbPerSec, 1)} MB/s, ack latency p50 ${fmt(javaProducer.p50Ms)} ms p99 ${fmt(javaProducer.p99Ms)} ms (at full throttle)`,
  );
  log(`Java ConsumerPerformance: ${fmt(MESSAGES)} messages`);
  const javaConsumer = await javaConsumerPerf(info, javaTopic, MESSAGES);
  log(`  ${fmt(javaConsumer.msgPerSec)} msg/s`);

  log(
    `module producer (socket-service, fire-and-forget + flush): ${fmt(MESSAGES)} envelopes of ~${VALUE_BYTES} B`,
  );
  const moduleProducer = await moduleProducerPerf(
    connection("socket-service"),
    topic,
    tenant,
    MESSAGES,
    VALUE_BYTES,
    (n) => log(`  acknowledged ${fmt(n)}`),
  );
  log(
    `  ${fmt(moduleProducer.msgPerSec)} msg/s, ${fmt(moduleProducer.mbPerSec, 1)} MB/s (value ${moduleProducer.valueBytes} B)`,
  );
  log(
    `module consumer (search-indexer, decode + validate + commit per batch): ${fmt(MESSAGES)} messages`,
  );
  const moduleConsumer = await moduleConsumerPerf(
    connection("search-indexer"),
    topic,
    MESSAGES,
    (n) => log(`  consumed ${fmt(n)}`),
  );
  log(`  ${fmt(moduleConsumer.msgPerSec)} msg/s`);

  log(`module end-to-end at ${fmt(RATE)} msg/s for ${SECONDS} s`);
  const e2e = await moduleEndToEnd(
    connection,
    latencyTopic,
    tenant,
    RATE,
    SECONDS,
    VALUE_BYTES,
    log,
  );
  log(`  broker acknowledgement p50 ${fmt(e2e.ackP50, 1)} ms, p99 ${fmt(e2e.ackP99, 1)} ms`);
  log(
    `  p50 ${fmt(e2e.p50, 1)} ms, p99 ${fmt(e2e.p99, 1)} ms, max ${fmt(e2e.max, 1)} ms over ${fmt(e2e.n)} messages (sent at ${fmt(e2e.achievedRate)} msg/s)`,
  );

  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
  const rows = [
    [
      "producer msg/s",
      fmt(moduleProducer.msgPerSec),
      fmt(javaProducer.msgPerSec),
      ratio(moduleProducer.msgPerSec, javaProducer.msgPerSec),
    ],
    [
      "producer MB/s",
      fmt(moduleProducer.mbPerSec, 1),
      fmt(javaProducer.mbPerSec, 1),
      ratio(moduleProducer.mbPerSec, javaProducer.mbPerSec),
    ],
    [
      "consumer msg/s",
      fmt(moduleConsumer.msgPerSec),
      fmt(javaConsumer.msgPerSec),
      ratio(moduleConsumer.msgPerSec, javaConsumer.msgPerSec),
    ],
    [`e2e p50 @ ${fmt(RATE)} msg/s`, `${fmt(e2e.p50, 1)} ms`, "", ""],
    [`e2e p99 @ ${fmt(RATE)} msg/s`, `${fmt(e2e.p99, 1)} ms`, "", ""],
    [`send→ack p99 @ ${fmt(RATE)} msg/s`, `${fmt(e2e.ackP99, 1)} ms`, "", ""],
  ];
  console.log("\n| measure | module | Java perf tool | module/Java |\n|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  const goals = [
    `producer ≥ 0.8x Java: ${moduleProducer.msgPerSec >= 0.8 * javaProducer.msgPerSec ? "met" : "NOT met"}`,
    `consumer ≥ 0.8x Java: ${moduleConsumer.msgPerSec >= 0.8 * javaConsumer.msgPerSec ? "met" : "NOT met"}`,
    `e2e p99 < 100 ms at ${fmt(RATE)} msg/s: ${e2e.p99 < 100 && e2e.achievedRate >= 0.95 * RATE ? "met" : "NOT met"}`,
  ];
  console.log(`\ngoals: ${goals.join("; ")}`);
} catch (error) {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  log("stopping the benchmark cluster");
  await cluster.stop();
}
process.exit(exitCode);
