import { createServer, type Server } from "node:http";
import { Admin } from "@platformatic/kafka";
import type { PlatformaticConnectionOptions } from "../kafka-client-options.ts";

/**
 * Consumer-group lag for the loopback Prometheus, in the Kafka Exporter's format
 * (`kafka_consumergroup_lag{consumergroup,topic,partition}`, -1 where the group has no
 * committed offset, and `kafka_consumergroup_members{consumergroup}`).
 *
 * Why it exists: the Kafka Exporter (github.com/danielqsj/kafka_exporter) cannot be fetched on
 * this machine (the Go module proxy answers 403 for it), and production uses the exporter
 * Strimzi deploys. This probe lets the local live tests run the lag alert and dashboard queries
 * on real committed offsets. It computes lag with the admin API the way the exporter does:
 * end offset of each partition minus the group's committed offset.
 */
export interface LagProbeOptions {
  readonly connection: PlatformaticConnectionOptions;
  readonly groups: readonly string[];
  readonly port: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class LagProbe {
  private server: Server | undefined;
  private readonly admin: Admin;

  constructor(private readonly options: LagProbeOptions) {
    this.admin = new Admin({ clientId: "kp-local-lag-probe", ...options.connection, retries: 2 });
  }

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  /** The exposition text: one line per (group, topic, partition) the group has offsets for. */
  async metricsText(): Promise<string> {
    const lines: string[] = [
      "# HELP kafka_consumergroup_lag Current approximate lag of a consumer group at topic/partition (-1: no committed offset)",
      "# TYPE kafka_consumergroup_lag gauge",
    ];
    const members: string[] = [
      "# HELP kafka_consumergroup_members Amount of members in a consumer group",
      "# TYPE kafka_consumergroup_members gauge",
    ];
    const described = await this.admin.describeGroups({ groups: [...this.options.groups] });
    for (const group of this.options.groups) {
      const size = described.get(group)?.members.size ?? 0;
      members.push(`kafka_consumergroup_members{consumergroup="${escapeLabel(group)}"} ${size}`);
      const [offsets] = await this.admin.listConsumerGroupOffsets({ groups: [group] });
      const topics = offsets?.topics ?? [];
      if (topics.length === 0) continue;
      const ends = await this.admin.listOffsets({
        topics: topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            timestamp: -1n,
          })),
        })),
      });
      for (const t of topics) {
        const endOf = new Map(
          (ends.find((e) => e.name === t.name)?.partitions ?? []).map((p) => [
            p.partitionIndex,
            p.offset,
          ]),
        );
        for (const p of t.partitions) {
          const end = endOf.get(p.partitionIndex);
          if (end === undefined) continue;
          const lag = p.committedOffset < 0n ? -1n : end - p.committedOffset;
          lines.push(
            `kafka_consumergroup_lag{consumergroup="${escapeLabel(group)}",topic="${escapeLabel(t.name)}",partition="${p.partitionIndex}"} ${lag}`,
          );
        }
      }
    }
    return `${[...lines, ...members].join("\n")}\n`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      this.metricsText().then(
        (text) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, "127.0.0.1", () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
    await this.admin.close();
  }
}
