import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { KAFKA_LIBS_DIR } from "./paths.ts";

const AGENT_PREFIX = "jmx_prometheus_javaagent-";

/**
 * The JIT of the long-running local JVMs (Kafka nodes, MirrorMaker 2, Strimzi's operators):
 * `full` (tiered, C1 then C2: the default, and what the benchmarks measure) or `c1` (C1 only).
 * The test suite sets `KP_LOCAL_JIT=c1`: its clusters live minutes, mostly idle, four at a time
 * on two cores, and C2 spends most of their CPU compiling. Measured on this machine for a 3-node
 * cluster with the dev catalog: start and apply 38 CPU-s with `full`, 19 with `c1`; the next
 * 120 s idle 25 CPU-s with `full`, 15 with `c1`.
 */
export type LocalJit = "full" | "c1";

/** `KP_LOCAL_JIT` (full or c1; unset or empty is full). */
export function localJit(): LocalJit {
  const value = process.env.KP_LOCAL_JIT ?? "";
  if (value === "" || value === "full") return "full";
  if (value === "c1") return "c1";
  throw new Error(`KP_LOCAL_JIT="${value}" is not a JIT setting; allowed values: full, c1`);
}

/** The JVM flags of a JIT setting. */
export function jitFlags(jit: LocalJit): string[] {
  return jit === "c1" ? ["-XX:TieredStopAtLevel=1"] : [];
}

/** The JMX Prometheus exporter agent jar (kept off the classpath: it is a javaagent). */
export function jmxExporterAgentJar(): string {
  const jar = readdirSync(KAFKA_LIBS_DIR).find((f) => f.startsWith(AGENT_PREFIX));
  if (jar === undefined) throw new Error(`no ${AGENT_PREFIX}*.jar in ${KAFKA_LIBS_DIR}; run fetch`);
  return join(KAFKA_LIBS_DIR, jar);
}

/** Classpath of the broker and the Kafka command-line tools. */
export function kafkaClasspath(): string {
  return readdirSync(KAFKA_LIBS_DIR)
    .filter((f) => f.endsWith(".jar") && !f.startsWith(AGENT_PREFIX))
    .sort()
    .map((f) => join(KAFKA_LIBS_DIR, f))
    .join(":");
}

/** JVM flags for short-lived tools: small heap, fast start (C1 only), quiet logging. */
export function toolJvmFlags(log4jConfig: string): string[] {
  return [
    "-Xms64m",
    "-Xmx256m",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Xshare:auto",
    `-Dlog4j2.configurationFile=${log4jConfig}`,
  ];
}

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of Kafka's Java tools by main class (for example `kafka.tools.StorageTool`,
 * `org.apache.kafka.tools.ProducerPerformance`), collecting its output.
 */
export function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  options: { log4jConfig: string; jvmFlags?: readonly string[] },
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "java",
      [
        ...(options.jvmFlags ?? toolJvmFlags(options.log4jConfig)),
        "-cp",
        kafkaClasspath(),
        mainClass,
        ...args,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
