import { describe, expect, it } from "vitest";
import { services } from "../../../acl/services.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";
import { consumesAnything } from "../support/expected-grants.ts";

/**
 * The seed's topics, written here from the developers' guide, independently of topics/catalog.ts:
 * partitions, retention (days) and cleanup policy. presence.updates is "compact" in the seed;
 * the catalog renders it as compact,delete so the seed's 1-day retention means something
 * (docs/decisions/0001-topic-catalog-and-acls.md).
 */
const DAY = 86_400_000;
const SEED = [
  { topic: "chat.messages.{tenant}", partitions: 32, retentionDays: 30, cleanup: "delete" },
  { topic: "presence.updates", partitions: 16, retentionDays: 1, cleanup: "compact,delete" },
  { topic: "notifications.pending", partitions: 8, retentionDays: 7, cleanup: "delete" },
  { topic: "analytics.events", partitions: 24, retentionDays: 90, cleanup: "delete" },
  { topic: "audit.log", partitions: 12, retentionDays: 365, cleanup: "delete" },
] as const;

/** Lower environments cap retention (developers' guide): dev at 3 days, staging at 14 days. */
const RETENTION_CAP_MS: Readonly<Record<string, number>> = {
  dev: 259_200_000,
  staging: 1_209_600_000,
};

/** The seed services that read (topics or commands), so each owns a dead-letter topic. */
const SEED_DLQ_TOPICS = [
  "dlq.socket-service",
  "dlq.auth-service",
  "dlq.message-processor",
  "dlq.notification-service",
  "dlq.analytics-service",
  "dlq.audit-service",
  "dlq.search-indexer",
];

describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  const cfg = rendered.model.config;
  const topics = ofKind(rendered.objects, "KafkaTopic");
  const byName = new Map(topics.map((t) => [field(t, "spec", "topicName") as string, t] as const));
  const cap = RETENTION_CAP_MS[cfg.environment];

  for (const seed of SEED) {
    const names = seed.topic.includes("{tenant}")
      ? cfg.tenants.map((t) => seed.topic.replace("{tenant}", t))
      : [seed.topic];

    it(`renders ${seed.topic} with ${seed.partitions} partitions, RF 3, min ISR 2, ${seed.cleanup}`, () => {
      for (const name of names) {
        const t = byName.get(name);
        expect(t, `KafkaTopic ${name}`).toBeDefined();
        expect(field(t, "spec", "partitions")).toBe(seed.partitions);
        expect(field(t, "spec", "replicas")).toBe(3);
        expect(field(t, "spec", "config", "cleanup.policy")).toBe(seed.cleanup);
        expect(field(t, "spec", "config", "min.insync.replicas")).toBe("2");
      }
    });

    if (cfg.environment === "prod") {
      it(`keeps the seed retention of ${seed.topic}: ${seed.retentionDays} days`, () => {
        for (const name of names) {
          expect(field(byName.get(name), "spec", "config", "retention.ms")).toBe(
            String(seed.retentionDays * DAY),
          );
        }
      });
    } else {
      it(`caps the retention of ${seed.topic} at the ${cfg.environment} limit`, () => {
        expect(cap, `${cfg.environment} has a retention cap`).toBeDefined();
        const expected = Math.min(seed.retentionDays * DAY, cap ?? Infinity);
        for (const name of names) {
          expect(field(byName.get(name), "spec", "config", "retention.ms")).toBe(String(expected));
        }
      });
    }
  }

  it("renders a chat.messages topic for every tenant of the stack and for no one else", () => {
    const chat = [...byName.keys()].filter((n) => n.startsWith("chat.messages.")).sort();
    expect(chat).toEqual(cfg.tenants.map((t) => `chat.messages.${t}`).sort());
  });

  it("lowers retention only where the cap applies (dev keeps less than a year of audit.log)", () => {
    const audit = Number(field(byName.get("audit.log"), "spec", "config", "retention.ms"));
    if (cfg.environment === "prod") expect(audit).toBe(365 * DAY);
    else expect(audit).toBeLessThan(365 * DAY);
  });

  it("gives every consuming service a dead-letter topic dlq.<service>", () => {
    const dlq = [...byName.keys()].filter((n) => n.startsWith("dlq.")).sort();
    // Every service that consumes topics or receives commands owns dlq.<service>.
    const readers = services.filter((s) => consumesAnything(s));
    expect(dlq).toEqual(readers.map((s) => `dlq.${s.name}`).sort());
    expect(dlq).toEqual([...SEED_DLQ_TOPICS].sort());
    expect(dlq).not.toContain("dlq.api-gateway");
  });
});
