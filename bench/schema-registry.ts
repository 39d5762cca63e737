/**
 * The Schema Registry wire format's cost per message, measured side by side in one run
 * (issue 16): a producer's and a consumer's work on an envelope as plain JSON (serialise;
 * parse and validate with zod) against the same work through RegistryEnvelopeCodec with its
 * ids cached (the 5-byte header added on the way out, the id resolved from the cache and the
 * header stripped on the way in). The goal: the overhead under 10 % of the module's own
 * per-message CPU.
 *
 *   tsx bench/schema-registry.ts --registry <ccompat url> [--messages 200000] [--module-us <µs>]
 *
 * The registry must hold the audit.log-value schema (npm run schemas -- register); it is asked
 * once per id, then never again.
 */
import { parseArgs } from "node:util";
import { RegistryEnvelopeCodec } from "../client/schema-registry.ts";
import { topicCatalog } from "../topics/catalog.ts";
import { topicValueZodSchema } from "../topics/schemas/value-schemas.ts";

export interface SchemaRegistryBenchResult {
  readonly messages: number;
  /** µs of CPU per message: serialise + parse + validate as plain JSON. */
  readonly plainUs: number;
  /** The same through the codec with cached ids. */
  readonly registryUs: number;
  readonly overheadUs: number;
  /** Overhead over the plain JSON path. */
  readonly overheadRatio: number;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const audit = topicCatalog.find((t) => t.name === "audit.log")!;

function sampleEnvelope(i: number): Record<string, unknown> {
  return {
    id: "6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d",
    type: "audit.recorded",
    timestamp: "2026-12-07T00:00:00.000Z",
    tenant_id: "acme",
    version: 1,
    payload: {
      actor_id: `user-${i % 1000}`,
      action: "permission.changed",
      target: `conversation-${i % 5000}`,
      outcome: "success",
      recorded_at: "2026-12-07T00:00:00.000Z",
    },
    metadata: {
      source: "auth-service",
      correlation_id: `c-${i}`,
      trace_id: "0af7651916cd43dd8448eb211c80319c",
    },
  };
}

/** Runs both paths over the same envelopes, alternating rounds so load drift hits both. */
export async function runSchemaRegistryBench(options: {
  readonly url: string;
  readonly messages?: number;
}): Promise<SchemaRegistryBenchResult> {
  const messages = options.messages ?? 200_000;
  const codec = new RegistryEnvelopeCodec({ url: options.url, timeoutMs: 10_000 });
  const schema = topicValueZodSchema(audit);
  const envelopes = Array.from({ length: 1000 }, (_, i) => sampleEnvelope(i));
  // Prime the caches: one lookup of the subject's id, one resolution of that id.
  const primed = await codec.encode("audit.log", Buffer.from(JSON.stringify(envelopes[0])));
  await codec.decode(primed);

  const plainRound = (n: number): number => {
    const t0 = cpuUs();
    for (let i = 0; i < n; i++) {
      const value = Buffer.from(JSON.stringify(envelopes[i % envelopes.length]));
      schema.parse(JSON.parse(value.toString("utf8")));
    }
    return cpuUs() - t0;
  };
  const registryRound = async (n: number): Promise<number> => {
    const t0 = cpuUs();
    for (let i = 0; i < n; i++) {
      const json = Buffer.from(JSON.stringify(envelopes[i % envelopes.length]));
      const value = codec.encodeCached("audit.log", json);
      if (value === undefined) throw new Error("the subject's id fell out of the cache");
      const decoded = await codec.decode(value);
      schema.parse(JSON.parse(decoded.json.toString("utf8")));
    }
    return cpuUs() - t0;
  };
  // Warm both paths up, then alternate ten rounds of each.
  plainRound(5_000);
  await registryRound(5_000);
  const round = Math.ceil(messages / 10);
  let plain = 0;
  let registry = 0;
  for (let r = 0; r < 10; r++) {
    plain += plainRound(round);
    registry += await registryRound(round);
  }
  const total = round * 10;
  const plainUs = plain / total;
  const registryUs = registry / total;
  return {
    messages: total,
    plainUs,
    registryUs,
    overheadUs: registryUs - plainUs,
    overheadRatio: (registryUs - plainUs) / plainUs,
  };
}

/** The bench line, optionally against the module's own per-message CPU (µs) from the same run. */
export function formatSchemaRegistryLine(r: SchemaRegistryBenchResult, moduleUs?: number): string {
  const share =
    moduleUs === undefined
      ? ""
      : `, ${((100 * r.overheadUs) / moduleUs).toFixed(1)} % of the module's ${moduleUs.toFixed(1)} µs/msg (goal < 10 %)`;
  return (
    `schema registry wire format (ids cached, ${r.messages} msgs): ` +
    `${r.registryUs.toFixed(2)} µs/msg vs plain JSON ${r.plainUs.toFixed(2)} µs/msg ` +
    `(serialise + parse + zod), overhead ${r.overheadUs.toFixed(2)} µs (${(100 * r.overheadRatio).toFixed(1)} %)${share}`
  );
}

if (process.argv[1]?.endsWith("schema-registry.ts") === true) {
  const { values } = parseArgs({
    options: {
      registry: { type: "string" },
      messages: { type: "string", default: "200000" },
      "module-us": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true || values.registry === undefined) {
    process.stdout.write(
      "Usage: tsx bench/schema-registry.ts --registry <ccompat url> [--messages 200000] [--module-us <µs>]\n",
    );
    process.exit(values.help === true ? 0 : 2);
  }
  const result = await runSchemaRegistryBench({
    url: values.registry,
    messages: Number(values.messages),
  });
  const moduleUs = values["module-us"] === undefined ? undefined : Number(values["module-us"]);
  process.stdout.write(`${formatSchemaRegistryLine(result, moduleUs)}\n`);
}
