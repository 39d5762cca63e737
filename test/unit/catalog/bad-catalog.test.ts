import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ValidationIssue } from "../../../topics/validation-error.ts";
import { filesUnder, runRender, tempCodeCopy } from "../render/run-render.ts";

/**
 * Mistakes in the catalog (topics/catalog.ts) or the service declarations (acl/services.ts).
 * Each edits a temporary copy of the sources, then checks the intended error twice: from
 * buildPlatformModel of that copy (what the render command, Pulumi and the tools call) and
 * from the copy's render command run as a child process, which exits 1 and writes nothing.
 */
interface BadCatalogCase {
  readonly name: string;
  readonly file: "topics/catalog.ts" | "acl/services.ts";
  readonly from: string;
  readonly to: string;
  readonly path: string;
  readonly message: string;
  readonly allowed?: readonly string[];
}

const TOPIC_TEMPLATES = [
  "chat.messages.{tenant}",
  "chat.events",
  "presence.updates",
  "notifications.pending",
  "analytics.events",
  "audit.log",
];
const SERVICE_NAMES = [
  "socket-service",
  "auth-service",
  "api-gateway",
  "message-processor",
  "notification-service",
  "analytics-service",
  "audit-service",
  "search-indexer",
];

const cases: readonly BadCatalogCase[] = [
  {
    name: "service consumes an unknown topic",
    file: "acl/services.ts",
    from: 'consumes: ["audit.log"],',
    to: 'consumes: ["audit.logs"],',
    path: "services[6].consumes[0]",
    message: 'unknown topic "audit.logs"',
    allowed: TOPIC_TEMPLATES,
  },
  {
    name: "service broadcasts an unknown topic",
    file: "acl/services.ts",
    from: 'broadcasts: ["chat.events", "presence.updates"],',
    to: 'broadcasts: ["chat.events", "presence.update"],',
    path: "services[0].broadcasts[1]",
    message: 'unknown topic "presence.update"',
    allowed: TOPIC_TEMPLATES,
  },
  {
    name: "service reads a topic both as a group and per instance",
    file: "acl/services.ts",
    from: `    consumes: [],
    broadcasts: ["chat.events", "presence.updates"],`,
    to: `    consumes: ["presence.updates"],
    broadcasts: ["chat.events", "presence.updates"],`,
    path: "services[0].broadcasts[1]",
    message: '"presence.updates" is also in consumes',
    allowed: ["consumes", "broadcasts"],
  },
  {
    name: "topic name with capitals",
    file: "topics/catalog.ts",
    from: 'name: "audit.log",',
    to: 'name: "Audit.Log",',
    path: "topics[5].name",
    message: '"Audit.Log" segment 1 "Audit" is not',
  },
  {
    name: "topic name with an underscore and one segment",
    file: "topics/catalog.ts",
    from: 'name: "notifications.pending",',
    to: 'name: "notifications_pending",',
    path: "topics[3].name",
    message: '"notifications_pending" needs at least two dot-separated segments',
  },
  {
    name: "topic name longer than Kafka allows",
    file: "topics/catalog.ts",
    from: 'name: "analytics.events",',
    to: `name: "analytics.${"e".repeat(250)}",`,
    path: "topics[4].name",
    message: "is 260 characters long; Kafka allows at most 249",
  },
  {
    name: "0 partitions",
    file: "topics/catalog.ts",
    from: "partitions: 8,",
    to: "partitions: 0,",
    path: "topics[3].partitions",
    message: "must be a whole number from 1 to 256, got 0",
  },
  {
    name: "unknown cleanup policy",
    file: "topics/catalog.ts",
    from: 'cleanupPolicy: "compact,delete",',
    to: 'cleanupPolicy: "compaction",',
    path: "topics[2].cleanupPolicy",
    message: 'unknown cleanup policy "compaction"',
    allowed: ["delete", "compact", "compact,delete"],
  },
  {
    name: "retention under a minute",
    file: "topics/catalog.ts",
    from: "retentionMs: days(365),",
    to: "retentionMs: 1000,",
    path: "topics[5].retentionMs",
    message: "must be whole milliseconds of at least one minute, got 1000",
  },
  {
    name: "duplicate topic",
    file: "topics/catalog.ts",
    from: 'name: "chat.events",',
    to: 'name: "analytics.events",',
    path: "topics[4].name",
    message: 'duplicate topic "analytics.events"',
  },
  {
    name: "tenant placeholder not the last segment",
    file: "topics/catalog.ts",
    from: 'name: "chat.messages.{tenant}",',
    to: 'name: "chat.{tenant}.messages",',
    path: "topics[0].name",
    message: "{tenant} must be the last segment so a prefix ACL covers exactly the family",
  },
  {
    name: "commands sent to an unknown service",
    file: "acl/services.ts",
    from: 'sendsCommandsTo: ["message-processor", "auth-service", "notification-service"],',
    to: 'sendsCommandsTo: ["message-processor", "billing-service"],',
    path: "services[2].sendsCommandsTo[1]",
    message: 'unknown service "billing-service"',
    allowed: SERVICE_NAMES,
  },
  {
    name: "commands sent to a service that takes none",
    file: "acl/services.ts",
    from: 'sendsCommandsTo: ["message-processor", "auth-service", "notification-service"],',
    to: 'sendsCommandsTo: ["search-indexer"],',
    path: "services[2].sendsCommandsTo[0]",
    message: 'service "search-indexer" does not set receivesCommands',
  },
  {
    name: "duplicate service",
    file: "acl/services.ts",
    from: 'name: "search-indexer",',
    to: 'name: "audit-service",',
    path: "services[7].name",
    message: 'duplicate service "audit-service"',
  },
  {
    name: "service name that is not a name segment",
    file: "acl/services.ts",
    from: 'name: "search-indexer",',
    to: 'name: "Search_Indexer",',
    path: "services[7].name",
    message: '"Search_Indexer" is not a legal name segment',
  },
  {
    name: "average ingest above the peak",
    file: "topics/catalog.ts",
    from: "prod: { avgBytesPerSec: kib(300), peakBytesPerSec: kib(2048) },",
    to: "prod: { avgBytesPerSec: kib(3000), peakBytesPerSec: kib(2048) },",
    path: "topics[4].capacity.ingest.prod",
    message: "must have 0 < avgBytesPerSec <= peakBytesPerSec",
  },
  {
    name: "a size cap below one segment",
    file: "topics/catalog.ts",
    from: "retentionBytesPerPartition: gib(32),",
    to: "retentionBytesPerPartition: 1000,",
    path: "topics[4].capacity.retentionBytesPerPartition",
    message: "must be whole bytes of at least one 1 GiB segment, got 1000",
  },
  {
    name: "lag target above its warning threshold",
    file: "acl/services.ts",
    from: "target: 100,",
    to: "target: 5_000,",
    path: "services[4].lag",
    message: "must satisfy 0 < target < warning < critical, got 5000 / 1000 / 10000",
  },
  {
    name: "lag override without a reason",
    file: "acl/services.ts",
    from: 'reason:\n        "A pending notification',
    to: 'reason: "", unused:\n        "A pending notification',
    path: "services[4].lag.reason",
    message: "must say why this group differs from the defaults",
  },
  {
    name: "service without a namespace",
    file: "acl/services.ts",
    from: 'namespace: "audit-service",',
    to: "",
    path: "services[6].namespace",
    message:
      'is required: the Kubernetes namespace service "audit-service" runs in, where its Secret kafka-audit-service is delivered',
  },
  {
    name: "service namespace that is not a Kubernetes name",
    file: "acl/services.ts",
    from: 'namespace: "audit-service",',
    to: 'namespace: "Audit_Service",',
    path: "services[6].namespace",
    message: '"Audit_Service" is not a Kubernetes namespace name',
  },
  {
    name: "per-service command family named directly",
    file: "acl/services.ts",
    from: 'consumes: ["notifications.pending"],',
    to: 'consumes: ["internal.{service}.commands"],',
    path: "services[4].consumes[0]",
    message: '"internal.{service}.commands" is reached through receivesCommands / sendsCommandsTo',
    allowed: TOPIC_TEMPLATES,
  },
];

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

interface CopyModules {
  readonly loadStack: (stack: string) => unknown;
  readonly buildPlatformModel: (loaded: unknown) => unknown;
}

async function importCopy(root: string): Promise<CopyModules> {
  const load = (await import(join(root, "infra/config/load.ts"))) as {
    loadStack: CopyModules["loadStack"];
  };
  const model = (await import(join(root, "charts/model.ts"))) as {
    buildPlatformModel: CopyModules["buildPlatformModel"];
  };
  return { loadStack: load.loadStack, buildPlatformModel: model.buildPlatformModel };
}

describe.concurrent("bad catalog and service declarations", { timeout: 240_000 }, () => {
  for (const c of cases) {
    it(`${c.name}: names ${c.file}, the path and allowed values; render exits 1 and writes nothing`, async () => {
      const root = tempCodeCopy([{ file: c.file, from: c.from, to: c.to }]);
      roots.push(root);

      const copy = await importCopy(root);
      let error: unknown;
      try {
        copy.buildPlatformModel(copy.loadStack("dev"));
      } catch (e) {
        error = e;
      }
      expect((error as Error | undefined)?.name).toBe("ValidationError");
      const issues = (error as { issues: readonly ValidationIssue[] }).issues;
      const matching = issues.filter(
        (i) => i.file === c.file && i.path === c.path && i.message.includes(c.message),
      );
      expect(matching, JSON.stringify(issues, null, 2)).toHaveLength(1);
      if (c.allowed) expect(matching[0]?.allowed).toEqual(c.allowed);

      const out = join(root, "dist");
      const run = await runRender(["--stack", "dev", "--out", out], root);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${c.file}: ${c.path}: `);
      expect(run.stderr).toContain(c.message);
      if (c.allowed) expect(run.stderr).toContain(`(allowed: ${c.allowed.join(", ")})`);
      expect(filesUnder(out)).toEqual([]);
    });
  }

  it("a change that can lose data (fewer partitions) is refused until acknowledged", async () => {
    const root = tempCodeCopy([
      { file: "topics/catalog.ts", from: "partitions: 12,", to: "partitions: 6," },
    ]);
    roots.push(root);
    const out = join(root, "dist");
    const run = await runRender(["--stack", "prod-us-east-1", "--out", out], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "1 destructive topic change without acknowledgement (nothing written or applied)",
    );
    expect(run.stderr).toContain(
      "prod-us-east-1: audit.log: partitions-reduced (partitions 12 → 6)",
    );
    expect(run.stderr).toContain("topics/acknowledgements.ts");
    // The suggested entry names the exact change, which is what an acknowledgement must match.
    expect(run.stderr).toContain('change: "partitions 12 → 6"');
    expect(filesUnder(out)).toEqual([]);
  });

  it("an unedited copy builds its model (control for the cases above)", async () => {
    const root = tempCodeCopy([]);
    roots.push(root);
    const copy = await importCopy(root);
    expect(() => copy.buildPlatformModel(copy.loadStack("dev"))).not.toThrow();
  });
});
