import { performance } from "node:perf_hooks";
import {
  Admin,
  ClientQuotaEntityTypes,
  ClientQuotaMatchTypes,
  ProduceAcks,
  Producer,
} from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import { applyCatalog } from "../../local/apply/apply.ts";
import { clientOptions, serviceCredential, testClusterControl } from "./support/cluster.ts";

/**
 * Issue 14, item 4, on the real 3-broker cluster: the local apply sets the stack's quotas on
 * every user, and a service pushing past its producer quota is slowed to it by the brokers
 * while another service's produce latency stays within its bound.
 *
 * audit-service (which may write only its dead-letter topic, 3 partitions, one leader per
 * broker) gets a stack override of 64 KiB/s per broker, which the model accepts (its dev
 * catalog need is 32 KiB/s) and which is far below what this machine's loopback cluster takes
 * without a quota. Its ceiling over the 3 leaders is therefore 192 KiB/s.
 */
const QUOTA = 64 * 1024;
const LEADERS = 3;
const CEILING = QUOTA * LEADERS;
const RECORD = 16 * 1024;
const NOISY_SECONDS = 15;
/** The well-behaved service's bound: KafkaRequestLatencyHigh's critical threshold. */
const P99_BOUND_MS = 500;

const baseline = { retries: 3, connectTimeout: 5000, requestTimeout: 60_000 } as const;

function producerFor(service: string): Producer {
  return new Producer({
    clientId: `quota-test-${service}`,
    ...clientOptions(serviceCredential(service)),
    ...baseline,
    acks: ProduceAcks.ALL,
  });
}

/** Writes RECORD-sized records with `lanes` sends in flight until `seconds` pass. */
async function flood(
  producer: Producer,
  topic: string,
  seconds: number,
  lanes: number,
): Promise<{ bytesPerSec: number; records: number }> {
  const value = Buffer.alloc(RECORD, 7);
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let records = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let i = 0;
      while (performance.now() < end) {
        await producer.send({
          messages: [{ topic, key: Buffer.from(`lane-${lane}-${i++}`), value }],
        });
        records++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { bytesPerSec: (records * RECORD) / elapsed, records };
}

/** Sends one small record every `everyMs` until `seconds` pass; returns each ack latency. */
async function steady(
  producer: Producer,
  topic: string,
  seconds: number,
  everyMs: number,
): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await producer.send({
      messages: [{ topic, key: Buffer.from("conv-1"), value: Buffer.from('{"type":"probe"}') }],
    });
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return latencies;
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

describe("quotas on the live cluster", { timeout: 300_000 }, () => {
  const cluster = testClusterControl();
  const dev = loadStack("dev");
  const throttled = buildPlatformModel({
    ...dev,
    config: { ...dev.config, quotas: { "audit-service": { producerByteRate: QUOTA } } },
  });
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    await applyCatalog(cluster, { model: throttled });
  });

  afterAll(async () => {
    // Back to the dev stack's own quotas for the other test files.
    await applyCatalog(cluster, { stack: "dev" });
    process.stdout.write(`quota test figures: ${JSON.stringify(figures)}\n`);
  });

  it("sets every user's quotas as the KafkaUsers carry them", async () => {
    const admin = new Admin({ clientId: "quota-test-admin", ...clientOptions(), ...baseline });
    try {
      const entries = await admin.describeClientQuotas({
        components: [
          { entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.ANY },
        ],
      });
      const live = new Map(
        entries.map((e) => [
          e.entity[0]?.entityName ?? "",
          Object.fromEntries(e.values.map((v) => [v.key, v.value])),
        ]),
      );
      for (const [user, q] of Object.entries(throttled.quotas)) {
        expect(live.get(user), user).toEqual({
          producer_byte_rate: q.producerByteRate,
          consumer_byte_rate: q.consumerByteRate,
          request_percentage: q.requestPercentage,
        });
      }
      expect(live.get("audit-service")?.["producer_byte_rate"]).toBe(QUOTA);
    } finally {
      await admin.close().catch(() => {});
    }
  });

  it("holds a flooding service at its quota while it adds less than the bound to another service's p99", async () => {
    const unthrottled = producerFor("search-indexer");
    const noisy = producerFor("audit-service");
    const quiet = producerFor("socket-service");
    try {
      // The same flood from a service with the dev quota (32 MiB/s per broker): what the
      // machine can do without the quota in the way.
      const free = await flood(unthrottled, "dlq.search-indexer", 6, 8);
      // The other service alone first: its p99 on this host at this moment (the suite runs
      // other clusters beside this one on 2 cores, which alone can take it past 1 s).
      const alone = await steady(quiet, "chat.events", 5, 50);
      const [flooded, latencies] = await Promise.all([
        flood(noisy, "dlq.audit-service", NOISY_SECONDS, 8),
        steady(quiet, "chat.events", NOISY_SECONDS, 50),
      ]);
      figures["unthrottledBytesPerSec"] = Math.round(free.bytesPerSec);
      figures["throttledBytesPerSec"] = Math.round(flooded.bytesPerSec);
      figures["quotaCeilingBytesPerSec"] = CEILING;
      figures["quietAloneP99Ms"] = Math.round(p99(alone));
      figures["quietP99Ms"] = Math.round(p99(latencies));
      figures["quietSends"] = latencies.length;

      // The flood could go much faster than the quota allows...
      expect(free.bytesPerSec).toBeGreaterThan(2 * CEILING);
      // ...and the brokers held it near the quota: at most the 3 leaders' quotas plus the
      // first window's burst (Kafka throttles on the rate over ~11 s of samples).
      expect(flooded.bytesPerSec).toBeLessThan(1.5 * CEILING);
      expect(flooded.bytesPerSec).toBeGreaterThan(0.3 * CEILING);
      // The other service was not starved: the flood adds less than the bound to its p99 alone,
      // measured side by side in this run.
      expect(latencies.length).toBeGreaterThan(50);
      expect(p99(latencies)).toBeLessThan(p99(alone) + P99_BOUND_MS);
    } finally {
      await Promise.all(
        [unthrottled.close(), noisy.close(), quiet.close()].map((p) => p.catch(() => {})),
      );
    }
  });
});
