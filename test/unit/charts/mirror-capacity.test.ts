import { describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { ValidationError } from "../../../topics/validation-error.ts";
import { activeActive } from "../support/active-active.ts";

/**
 * Under active-active (prefixed names) each region's brokers also hold the peer's replicated
 * topics, as `<peer>.<topic>`: the disk plan must count them, or a region sized for its own
 * catalog fills its disks once MirrorMaker runs.
 */
const west = loadStack("prod-eu-west-1");

describe("the disk plan of a region that mirrors under prefixed names", () => {
  it("holds a copy of every replicated topic under the peer's prefix, sized as the original", () => {
    const model = buildPlatformModel({ ...west, config: activeActive(west.config, "4Ti") });
    const rows = new Map(model.capacity.rows.map((r) => [r.topic, r]));
    const copies = model.capacity.rows.filter((r) => r.topic.startsWith("us-east-1."));
    // prod-eu-west-1 replicates chat.messages.{tenant} (four tenants), chat.events, audit.log.
    expect(copies.map((r) => r.topic).sort()).toEqual([
      "us-east-1.audit.log",
      "us-east-1.chat.events",
      "us-east-1.chat.messages.acme",
      "us-east-1.chat.messages.globex",
      "us-east-1.chat.messages.initech",
      "us-east-1.chat.messages.umbrella",
    ]);
    for (const copy of copies) {
      const original = rows.get(copy.topic.slice("us-east-1.".length));
      expect(copy.diskBytes, copy.topic).toBe(original?.diskBytes);
    }
  });

  it("refuses the production volume size that holds one region's catalog but not both", () => {
    // As written (active-passive, identity names), prod-eu-west-1's 3Ti volumes hold the catalog.
    expect(() => buildPlatformModel(west)).not.toThrow();
    let error: unknown;
    try {
      buildPlatformModel({ ...west, config: activeActive(west.config) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => [i.file, i.path])).toEqual([
      ["Pulumi.prod-eu-west-1.yaml", "config.kafka-platform:cluster.brokers.storage.size"],
    ]);
    expect(issues[0]?.message).toContain("3 TiB per broker cannot hold the catalog");
    expect(issues[0]?.message).toContain("us-east-1.chat.messages.acme");
  });

  it("adds no copies under the identity policy: the mirrored topics are the region's own", () => {
    const model = buildPlatformModel(west);
    expect(model.capacity.rows.filter((r) => r.topic.includes("us-east-1"))).toEqual([]);
  });
});
