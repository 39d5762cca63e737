import { join } from "node:path";
import { runKafkaTool } from "../local/java.ts";
import type { ClusterConnectionInfo } from "../local/cluster.ts";

/**
 * Kafka's own perf tools (org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance,
 * what kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh run) on the same cluster,
 * as the admin user over SASL_SSL, with full JIT (not the quick-start flags of other tools).
 */
function jvmFlags(info: ClusterConnectionInfo): string[] {
  return [
    "-Xms512m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    `-Dlog4j2.configurationFile=${join(info.dir, "log4j2-tools.properties")}`,
  ];
}

export interface JavaProducerResult {
  readonly msgPerSec: number;
  readonly mbPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * How the perf tool spreads its (keyless) records: `sticky` is the producer's default (fills
 * one partition's batch at a time); `spread` uses the RoundRobinPartitioner so that, like the
 * catalog's keyed topics, consecutive records go to different partitions.
 */
export type JavaPartitioning = "sticky" | "spread";

export async function javaProducerPerf(
  info: ClusterConnectionInfo,
  topic: string,
  records: number,
  recordSize: number,
  options: { throughput?: number; partitioning?: JavaPartitioning; warmupRecords?: number } = {},
): Promise<JavaProducerResult> {
  const result = await runKafkaTool(
    "org.apache.kafka.tools.ProducerPerformance",
    [
      "--topic",
      topic,
      "--num-records",
      String(records),
      "--record-size",
      String(recordSize),
      "--throughput",
      String(options.throughput ?? -1),
      // Left out of the steady-state summary (the last line, which is the one parsed below).
      ...(options.warmupRecords !== undefined
        ? ["--warmup-records", String(options.warmupRecords)]
        : []),
      "--command-config",
      info.adminClientPropertiesPath,
      "--command-property",
      "acks=all",
      "enable.idempotence=true",
      "compression.type=lz4",
      "linger.ms=5",
      ...(options.partitioning === "spread"
        ? ["partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner"]
        : []),
      `bootstrap.servers=${info.bootstrapServers.join(",")}`,
    ],
    { log4jConfig: "", jvmFlags: jvmFlags(info) },
  );
  // "100000 records sent, 51234.5 records/sec (50.03 MB/sec), 120.1 ms avg latency, 400.0 ms max latency, 100 ms 50th, 300 ms 95th, 380 ms 99th, 399 ms 99.9th."
  const summary = result.stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.includes("records sent"));
  const m = summary?.match(
    /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).*?(\d+) ms 50th.*?(\d+) ms 99th/,
  );
  if (result.code !== 0 || m === null || m === undefined) {
    throw new Error(
      `ProducerPerformance failed (exit ${result.code}):\n${result.stderr.slice(-2000)}${result.stdout.slice(-1000)}`,
    );
  }
  return {
    msgPerSec: Number(m[1]),
    mbPerSec: Number(m[2]),
    p50Ms: Number(m[3]),
    p99Ms: Number(m[4]),
  };
}

export interface JavaConsumerResult {
  readonly msgPerSec: number;
  readonly mbPerSec: number;
}

export async function javaConsumerPerf(
  info: ClusterConnectionInfo,
  topic: string,
  messages: number,
): Promise<JavaConsumerResult> {
  const result = await runKafkaTool(
    "org.apache.kafka.tools.ConsumerPerformance",
    [
      "--bootstrap-server",
      info.bootstrapServers.join(","),
      "--topic",
      topic,
      "--messages",
      String(messages),
      "--group",
      `bench-java-${Date.now()}`,
      "--command-config",
      info.adminClientPropertiesPath,
      "--timeout",
      "60000",
    ],
    { log4jConfig: "", jvmFlags: jvmFlags(info) },
  );
  // header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const lines = result.stdout.trim().split("\n");
  const header = lines.findIndex((l) => l.includes("fetch.nMsg.sec"));
  const values = lines[header + 1]?.split(",").map((v) => v.trim());
  const names = lines[header]?.split(",").map((v) => v.trim());
  if (result.code !== 0 || header < 0 || values === undefined || names === undefined) {
    throw new Error(
      `ConsumerPerformance failed (exit ${result.code}):\n${result.stderr.slice(-2000)}${result.stdout.slice(-1000)}`,
    );
  }
  const field = (name: string): number => Number(values[names.indexOf(name)]);
  // fetch.* excludes the group join (rebalance) time, like the module's measurement.
  return { msgPerSec: field("fetch.nMsg.sec"), mbPerSec: field("fetch.MB.sec") };
}
