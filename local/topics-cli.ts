import { randomUUID } from "node:crypto";
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from "@platformatic/kafka";
import { createEnvelope, encodeEnvelope, type NewEnvelope } from "../client/envelope.ts";
import type { CatalogEventType } from "../topics/events/registry.ts";
import { intOption, progress, runTool, stringOption, type Verb } from "./cli-support.ts";
import type { LocalCluster } from "./cluster.ts";
import type { ScramCredential } from "./credentials.ts";
import { clusterFromOptions, instanceOptions } from "./instance-options.ts";
import { platformaticOptions } from "./kafka-client-options.ts";
import { formatMessage } from "./message-display.ts";
import { consumerGroupLag, describeTopic, listTopicSummaries } from "./topic-queries.ts";

const TOOL = "npm run topics --";
type Values = Record<string, string | boolean | undefined>;

const asOption = { as: { type: "string" } } as const;

function connect(values: Values): { cluster: LocalCluster; credential: ScramCredential } {
  const cluster = clusterFromOptions(values, () => {});
  if (!cluster.isRunning())
    throw new Error(`instance "${cluster.instance}" is not running (npm run local -- up)`);
  const as = stringOption(values, "as");
  return {
    cluster,
    credential: as === undefined ? cluster.adminCredentials : cluster.serviceCredentials(as),
  };
}

async function withAdmin<T>(values: Values, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const { cluster, credential } = connect(values);
  const admin = new Admin({
    clientId: "kafka-platform-topics",
    ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, credential),
  });
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

function oneTopic(positionals: string[]): string {
  const [topic, ...extra] = positionals;
  if (topic === undefined || extra.length > 0) throw new Error("give exactly one topic name");
  return topic;
}

const verbs: Verb[] = [
  {
    name: "list",
    summary: "List the topics with partitions, replication factor and under-replicated partitions.",
    usage: "[--instance dev]",
    options: { ...instanceOptions, ...asOption },
    run: (values) =>
      withAdmin(values, async (admin) => {
        const topics = await listTopicSummaries(admin);
        const width = Math.max(5, ...topics.map((t) => t.name.length));
        progress(`${"TOPIC".padEnd(width)}  PARTITIONS  RF  UNDER-REPLICATED`);
        for (const t of topics) {
          progress(
            `${t.name.padEnd(width)}  ${String(t.partitions).padStart(10)}  ${String(t.replicationFactor).padStart(2)}  ${String(t.underReplicated).padStart(16)}`,
          );
        }
        return 0;
      }),
  },
  {
    name: "describe",
    summary:
      "Show a topic's partitions (leader, replicas, ISR, earliest and latest offsets) and its config overrides.",
    usage: "<topic> [--instance dev]",
    allowPositionals: true,
    options: { ...instanceOptions, ...asOption },
    run: (values, positionals) =>
      withAdmin(values, async (admin) => {
        const d = await describeTopic(admin, oneTopic(positionals));
        progress(`topic ${d.name}: ${d.partitions.length} partitions`);
        for (const [k, v] of Object.entries(d.overrides).sort()) progress(`  ${k}=${v}`);
        progress("PARTITION  LEADER  REPLICAS  ISR      EARLIEST  LATEST");
        for (const p of d.partitions) {
          progress(
            `${String(p.partition).padStart(9)}  ${String(p.leader).padStart(6)}  ${p.replicas.join(",").padEnd(8)}  ${p.isr.join(",").padEnd(7)}  ${String(p.earliest).padStart(8)}  ${p.latest}`,
          );
        }
        return 0;
      }),
  },
  {
    name: "produce",
    summary:
      "Produce one test message (acks=all), as an envelope built by the client module or as a raw value.",
    usage:
      "<topic> --key <key> (--type <event> --tenant <tenant> --payload <json> | --value <text>) [--as <service>]",
    details:
      "With --type the value is a validated envelope (content-type and traceparent headers included). --as uses a\nservice's credentials from the instance's credentials file, so its ACLs apply; the admin is the default.",
    allowPositionals: true,
    options: {
      ...instanceOptions,
      ...asOption,
      key: { type: "string", short: "k" },
      type: { type: "string", short: "t" },
      tenant: { type: "string", default: "acme" },
      payload: { type: "string" },
      value: { type: "string" },
      source: { type: "string", default: "topics-cli" },
    },
    run: async (values, positionals) => {
      const topic = oneTopic(positionals);
      const { cluster, credential } = connect(values);
      const key = stringOption(values, "key");
      if (key === undefined)
        throw new Error("--key is required (producers must key by the catalog's key)");
      const type = stringOption(values, "type");
      const raw = stringOption(values, "value");
      if ((type === undefined) === (raw === undefined))
        throw new Error("give either --type (with --payload) or --value");
      let value: Buffer;
      let headers: Record<string, string> = {};
      if (type !== undefined) {
        const payload = JSON.parse(stringOption(values, "payload") ?? "{}") as unknown;
        const envelope = createEnvelope({
          type: type as CatalogEventType,
          tenantId: stringOption(values, "tenant") ?? "acme",
          payload,
          source: stringOption(values, "source") ?? "topics-cli",
        } as NewEnvelope<CatalogEventType>);
        ({ value, headers } = encodeEnvelope(envelope));
      } else {
        value = Buffer.from(raw ?? "");
      }
      const producer = new Producer({
        clientId: "kafka-platform-topics",
        ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, credential),
        acks: ProduceAcks.ALL,
        idempotent: false,
      });
      try {
        const result = await producer.send({
          messages: [
            {
              topic,
              key: Buffer.from(key),
              value,
              headers: new Map(
                Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
              ),
            },
          ],
        });
        const at = result.offsets?.[0];
        progress(
          `produced to ${topic}${at ? ` partition ${at.partition} offset ${at.offset}` : ""}`,
        );
        return 0;
      } finally {
        await producer.close().catch(() => {});
      }
    },
  },
  {
    name: "consume",
    summary:
      "Read messages and print them as JSON lines with the envelope decoded (tail with --follow).",
    usage: "<topic> [--from-beginning] [--max 10] [--follow] [--timeout 10] [--as <service>]",
    details:
      "Uses a throwaway consumer group and never commits, so no service's offsets move. With --as <service> the\nservice's own group is used (its ACL allows only that group), still without committing.",
    allowPositionals: true,
    options: {
      ...instanceOptions,
      ...asOption,
      "from-beginning": { type: "boolean" },
      max: { type: "string", default: "10" },
      follow: { type: "boolean", short: "f" },
      timeout: { type: "string", default: "10" },
    },
    run: async (values, positionals) => {
      const topic = oneTopic(positionals);
      const { cluster, credential } = connect(values);
      const as = stringOption(values, "as");
      const consumer = new Consumer({
        clientId: "kafka-platform-topics",
        groupId: as ?? `topics-cli-${randomUUID()}`,
        ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, credential),
        autocommit: false,
      });
      const max = values.follow === true ? Number.POSITIVE_INFINITY : intOption(values, "max", 10);
      const idleMs = intOption(values, "timeout", 10) * 1000;
      let count = 0;
      try {
        const stream = await consumer.consume({
          topics: [topic],
          mode:
            values["from-beginning"] === true
              ? MessagesStreamModes.EARLIEST
              : MessagesStreamModes.LATEST,
          autocommit: false,
        });
        let idle: NodeJS.Timeout | undefined;
        const arm = (): void => {
          if (values.follow === true) return;
          clearTimeout(idle);
          idle = setTimeout(() => void stream.close(), idleMs);
        };
        arm();
        for await (const message of stream) {
          progress(formatMessage(message));
          count += 1;
          if (count >= max) break;
          arm();
        }
        clearTimeout(idle);
        await stream.close().catch(() => {});
      } finally {
        await consumer.close(true).catch(() => {});
      }
      process.stderr.write(`${count} message(s)\n`);
      return 0;
    },
  },
  {
    name: "lag",
    summary:
      "Show consumer group lag: committed offset vs log end per partition, and the total per group.",
    usage: "[--group <group>] [--instance dev]",
    options: { ...instanceOptions, ...asOption, group: { type: "string", short: "g" } },
    run: (values) =>
      withAdmin(values, async (admin) => {
        const group = stringOption(values, "group");
        const lags = await consumerGroupLag(admin, group === undefined ? undefined : [group]);
        if (lags.length === 0) progress("no consumer groups");
        for (const g of lags) {
          progress(`group ${g.group}: total lag ${g.total}`);
          for (const p of g.partitions)
            progress(
              `  ${p.topic}-${p.partition}  committed ${p.committed}  end ${p.end}  lag ${p.lag}`,
            );
        }
        return 0;
      }),
  },
];

const code = await runTool(
  TOOL,
  "Topic tools for the local cluster: list, describe, produce a test message, consume/tail with envelopes decoded, consumer lag.",
  verbs,
  process.argv.slice(2),
);
process.exit(code);
