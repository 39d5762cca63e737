import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createBenchTopic } from "./bench-topics.ts";
import { confluentDriver, platformaticDriver, type LibraryDriver } from "./library-drivers.ts";
import { startBenchCluster } from "./local-instance.ts";
import { fmt, nowMs, sentAt, summarize, timedValue } from "./stats.ts";

/**
 * Measures the two candidate client libraries on a real local cluster (its own instance):
 * producer and consumer throughput, end-to-end latency at a fixed rate, and whether a second
 * transactional producer fences the first. Evidence for docs/decisions/0003-client-library.md.
 */
const { values: args } = parseArgs({
  options: {
    help: { type: "boolean", default: false },
    messages: { type: "string", default: "100000" },
    rate: { type: "string", default: "10000" },
    seconds: { type: "string", default: "15" },
    keep: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(`Usage: tsx bench/compare-libraries.ts [--messages N] [--rate msg/s] [--seconds S] [--keep]
Starts local cluster instance $KP_BENCH_INSTANCE (default client-bench, ports from 39100),
compares @confluentinc/kafka-javascript and @platformatic/kafka, stops the cluster (unless --keep).`);
  process.exit(0);
}
const MESSAGES = Number(args.messages);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const VALUE_SIZE = 1024;
const PARTITIONS = 6;
const log = (line: string): void =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const { cluster, info } = await startBenchCluster(log);
const caPem = readFileSync(info.caPemPath, "utf8");
const fill = Buffer.alloc(VALUE_SIZE, "x");
const rows: string[] = [];
try {
  const drivers: LibraryDriver[] = [confluentDriver(info, caPem), platformaticDriver(info, caPem)];
  for (const [i, d] of drivers.entries()) {
    const topic = `bench.compare-${i}`;
    const latencyTopic = `bench.compare-latency-${i}`;
    await createBenchTopic(info, caPem, topic, PARTITIONS);
    await createBenchTopic(info, caPem, latencyTopic, PARTITIONS);
    log(`${d.name}: producing ${fmt(MESSAGES)} x 1 KiB (acks=all, idempotent, lz4)`);
    const t = performance.now();
    await d.produce(topic, MESSAGES, () => timedValue(VALUE_SIZE, fill));
    const produceRate = MESSAGES / ((performance.now() - t) / 1000);
    log(`${d.name}: producer ${fmt(produceRate)} msg/s`);
    // Timed from the first message, so the group join does not count (like Java's fetch rate).
    let firstAt = 0;
    let lastAt = 0;
    await d.consume(topic, `bench-consume-${i}`, MESSAGES, () => {
      lastAt = performance.now();
      if (firstAt === 0) firstAt = lastAt;
    });
    const consumeRate = MESSAGES / ((lastAt - firstAt) / 1000);
    log(`${d.name}: consumer ${fmt(consumeRate)} msg/s (KIP-848 group)`);
    log(`${d.name}: end-to-end at ${fmt(RATE)} msg/s for ${SECONDS}s`);
    const latencies: number[] = [];
    const total = Math.round(RATE * SECONDS);
    const consuming = d.consume(latencyTopic, `bench-latency-${i}`, total, (v) =>
      latencies.push(nowMs() - sentAt(v)),
    );
    await new Promise((r) => setTimeout(r, 3000));
    await d.produceAtRate(latencyTopic, RATE / 100, 10, SECONDS * 1000, () =>
      timedValue(VALUE_SIZE, fill),
    );
    await consuming;
    const e2e = summarize(latencies);
    log(
      `${d.name}: e2e p50 ${fmt(e2e.p50, 1)} ms, p99 ${fmt(e2e.p99, 1)} ms, max ${fmt(e2e.max, 1)} ms`,
    );
    const fenced = await d.fencing(topic, `bench.tx.${i}`).catch((e: unknown) => {
      log(`${d.name}: fencing check failed: ${(e as Error).message}`);
      return false;
    });
    log(`${d.name}: second transactional producer fences the first: ${fenced}`);
    rows.push(
      `| ${d.name} | ${fmt(produceRate)} | ${fmt(consumeRate)} | ${fmt(e2e.p50, 1)} | ${fmt(e2e.p99, 1)} | ${fenced ? "yes" : "no"} |`,
    );
  }
  console.log("\n| library | producer msg/s | consumer msg/s | e2e p50 ms | e2e p99 ms | fenced |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
} finally {
  if (args.keep !== true) await cluster.stop();
}
