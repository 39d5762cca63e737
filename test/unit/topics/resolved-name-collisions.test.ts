import { describe, expect, it } from "vitest";
import { services } from "../../../acl/services.ts";
import { topicCatalog } from "../../../topics/catalog.ts";
import { resolveTopics } from "../../../topics/resolve.ts";
import type { TopicDefinition } from "../../../topics/types.ts";
import { ValidationError } from "../../../topics/validation-error.ts";

const single = (name: string): TopicDefinition => ({
  name,
  family: "single",
  description: "test topic",
  partitions: 3,
  retentionMs: 86_400_000,
  cleanupPolicy: "delete",
  key: "id",
  events: ["test.event"],
  capacity: {
    ingest: {
      dev: { avgBytesPerSec: 1, peakBytesPerSec: 1 },
      staging: { avgBytesPerSec: 1, peakBytesPerSec: 1 },
      prod: { avgBytesPerSec: 1, peakBytesPerSec: 1 },
    },
    compressionRatio: 1,
    rationale: "test topic",
  },
});

function issuesOf(
  catalog: readonly TopicDefinition[],
  tenants: readonly string[] = ["acme"],
): string[] {
  try {
    resolveTopics({ environment: "prod", tenants, catalog, services });
  } catch (e) {
    if (e instanceof ValidationError)
      return e.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe("resolved topic names", () => {
  it("the seed catalog resolves without collisions", () => {
    expect(issuesOf(topicCatalog, ["acme", "globex"])).toEqual([]);
  });

  it("refuses a fixed topic inside a per-tenant family's prefix (its ACL would cover it)", () => {
    expect(issuesOf([...topicCatalog, single("chat.messages.archive")])).toContain(
      'topics/catalog.ts: topics[7].name: "chat.messages.archive" starts with "chat.messages.", the prefix ACL of the per-tenant family "chat.messages.{tenant}"',
    );
  });

  it("refuses a catalog entry that is also a generated dead-letter topic", () => {
    const issues = issuesOf([...topicCatalog, single("dlq.audit-service")]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('resolves to "dlq.audit-service", which');
  });

  it("refuses a command topic written out by hand next to its family", () => {
    const issues = issuesOf([...topicCatalog, single("internal.auth-service.commands")]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('"internal.auth-service.commands"');
  });
});
