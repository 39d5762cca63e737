import { DAY_MS, days } from "./durations.ts";
import { GIB, KIB, MIB, TIB } from "./sizes.ts";
import type { ResolvedTopic } from "./types.ts";

/**
 * Disk sizing from the catalog: what each topic keeps on disk, per broker, against the brokers'
 * volumes. Pure: it takes the resolved topics and plain numbers, so the model, the render
 * command and `npm run capacity` share it.
 *
 *   per-broker disk = ingest × retention × replicas ÷ brokers × headroom ÷ compression
 *
 * with two refinements Kafka imposes:
 * - a partition capped by `retention.bytes` keeps at most that much in closed segments;
 * - retention deletes closed segments only, and a segment closes at `segment.bytes` (1 GiB) or
 *   after `segment.ms` (7 days), so each partition also holds up to one open segment: the
 *   lesser of 1 GiB and 7 days of its ingest.
 */

/** Kafka's defaults, which the catalog does not change. */
export const SEGMENT_BYTES = GIB;
export const SEGMENT_MS = days(7);

/**
 * Room above the expected use: at the plan's average the disks stay at 1/1.5 = 67 %, under
 * the 70 % warning (alerts/disk-usage.ts), with the rest for peaks, uneven partitions and a
 * broker's share while another is rebuilt.
 */
export const DISK_HEADROOM = 1.5;

export interface CapacityRow {
  readonly topic: string;
  readonly partitions: number;
  readonly replicas: number;
  /** Average ingest, uncompressed, bytes per second. */
  readonly avgBytesPerSec: number;
  readonly peakBytesPerSec: number;
  /** Uncompressed bytes written per day at the average. */
  readonly bytesPerDay: number;
  readonly retentionDays: number;
  /** retention.bytes per partition, when capped. */
  readonly retentionBytesPerPartition?: number;
  /** Whether the cap, not retention time, bounds this topic at the average ingest. */
  readonly capBinds: boolean;
  /** On disk over all replicas (compressed, with open segments). */
  readonly diskBytes: number;
  /** On each broker: diskBytes ÷ brokers. */
  readonly perBrokerBytes: number;
  /** perBrokerBytes as a fraction of one broker's disk. */
  readonly shareOfBroker: number;
}

export interface CapacityPlan {
  readonly rows: readonly CapacityRow[];
  readonly brokers: number;
  /** One broker's disk: volume size × volumes. */
  readonly brokerDiskBytes: number;
  /** Sum of the rows' per-broker bytes. */
  readonly perBrokerBytes: number;
  /** perBrokerBytes × DISK_HEADROOM: what each broker's disk must hold. */
  readonly requiredPerBrokerBytes: number;
  readonly fits: boolean;
}

/** Bytes of a Kubernetes size as the stack config writes it (`100Gi`, `3Ti`). */
export function storageBytes(size: string): number {
  const m = /^([0-9]+)(Gi|Ti)$/.exec(size);
  if (m === null) throw new Error(`not a size in Gi or Ti: ${size}`);
  return Number(m[1]) * (m[2] === "Ti" ? TIB : GIB);
}

/**
 * Unlimited retention (`retention.ms=-1`, only the Schema Registry's component topics, which
 * Apicurio requires to keep everything) is sized over this planning horizon.
 */
export const UNLIMITED_RETENTION_SIZING_MS = 5 * 365 * 24 * 60 * 60 * 1000;

function retentionMsOf(topic: ResolvedTopic): number {
  const ms = Number(topic.config["retention.ms"]);
  if (ms === -1) return UNLIMITED_RETENTION_SIZING_MS;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`${topic.name}: unbounded retention cannot be sized`);
  }
  return ms;
}

export function capacityRow(
  topic: ResolvedTopic,
  brokers: number,
  brokerDiskBytes: number,
): CapacityRow {
  const retentionMs = retentionMsOf(topic);
  const capValue = topic.config["retention.bytes"];
  const cap = capValue === undefined || capValue === "-1" ? undefined : Number(capValue);
  // Compressed bytes per second arriving at one partition (one replica).
  const perPartition = topic.ingest.avgBytesPerSec / topic.compressionRatio / topic.partitions;
  const byTime = (perPartition * retentionMs) / 1000;
  const closed = cap === undefined ? byTime : Math.min(byTime, cap);
  const open = Math.min(SEGMENT_BYTES, (perPartition * SEGMENT_MS) / 1000);
  const diskBytes = (closed + open) * topic.partitions * topic.replicationFactor;
  const perBrokerBytes = diskBytes / brokers;
  return {
    topic: topic.name,
    partitions: topic.partitions,
    replicas: topic.replicationFactor,
    avgBytesPerSec: topic.ingest.avgBytesPerSec,
    peakBytesPerSec: topic.ingest.peakBytesPerSec,
    bytesPerDay: (topic.ingest.avgBytesPerSec * DAY_MS) / 1000,
    retentionDays: retentionMs / DAY_MS,
    ...(cap !== undefined ? { retentionBytesPerPartition: cap } : {}),
    capBinds: cap !== undefined && byTime > cap,
    diskBytes,
    perBrokerBytes,
    shareOfBroker: perBrokerBytes / brokerDiskBytes,
  };
}

export function capacityPlan(
  topics: readonly ResolvedTopic[],
  brokers: number,
  brokerDiskBytes: number,
): CapacityPlan {
  const rows = topics.map((t) => capacityRow(t, brokers, brokerDiskBytes));
  const perBrokerBytes = rows.reduce((n, r) => n + r.perBrokerBytes, 0);
  const requiredPerBrokerBytes = perBrokerBytes * DISK_HEADROOM;
  return {
    rows,
    brokers,
    brokerDiskBytes,
    perBrokerBytes,
    requiredPerBrokerBytes,
    fits: requiredPerBrokerBytes <= brokerDiskBytes,
  };
}

/** 1536 -> "1.5 KiB", binary units, three significant figures. */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [TIB, "TiB"],
    [GIB, "GiB"],
    [MIB, "MiB"],
    [KIB, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toPrecision(3))} ${unit}`;
  }
  return `${Math.round(n)} B`;
}

function pad(cells: readonly string[][]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** The per-topic table and its totals, as `npm run capacity` and the render refusal print it. */
export function formatCapacityTable(plan: CapacityPlan): string {
  const header = [
    "topic",
    "partitions",
    "avg/s",
    "peak/s",
    "bytes/day",
    "retention",
    "cap/partition",
    "disk (all replicas)",
    "per broker",
    "share of each broker",
  ];
  const rows = [...plan.rows]
    .sort((a, b) => b.perBrokerBytes - a.perBrokerBytes || a.topic.localeCompare(b.topic))
    .map((r) => [
      r.topic,
      String(r.partitions),
      formatBytes(r.avgBytesPerSec),
      formatBytes(r.peakBytesPerSec),
      formatBytes(r.bytesPerDay),
      `${Number(r.retentionDays.toPrecision(3))} d`,
      r.retentionBytesPerPartition === undefined
        ? "-"
        : `${formatBytes(r.retentionBytesPerPartition)}${r.capBinds ? " (binds)" : ""}`,
      formatBytes(r.diskBytes),
      formatBytes(r.perBrokerBytes),
      `${(r.shareOfBroker * 100).toFixed(1)} %`,
    ]);
  const lines = pad([header, ...rows]);
  const share = (plan.perBrokerBytes / plan.brokerDiskBytes) * 100;
  return [
    ...lines,
    "",
    `per broker: ${formatBytes(plan.perBrokerBytes)} expected (${share.toFixed(1)} % of ${formatBytes(plan.brokerDiskBytes)}), ` +
      `× headroom ${DISK_HEADROOM} = ${formatBytes(plan.requiredPerBrokerBytes)} needed; ` +
      `${plan.brokers} brokers; ${plan.fits ? "fits" : "DOES NOT FIT"}`,
  ].join("\n");
}
