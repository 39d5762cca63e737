import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveTopics } from "../../../topics/resolve.ts";
import { tenantCeiling } from "../../../topics/tenant-ceiling.ts";
import { tempStackRoot } from "../config/stack-mutations.ts";
import { modelIssues } from "../support/model-issues.ts";
import { filesUnder, runRender } from "../render/run-render.ts";

/**
 * Issue 14, item 5: the tenant ceiling (docs/decisions/0010-tenant-ceiling.md), worked out by
 * hand from the catalog: per broker (3 brokers, RF 3, so every broker holds a replica of every
 * partition) the non-tenant topics take 16 + 16 + 8 + 24 + 12 (single topics) + 3 × 6 (command
 * topics) + 7 × 3 (dead letters) = 115 replicas, Kafka's internal topics 50 + 50 = 100; each
 * tenant adds 32. At a budget of 2,000 replicas per broker: floor((2000 − 215) ÷ 32) = 55.
 */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe("the tenant ceiling", () => {
  it("is 55 tenants at 2,000 partition replicas per broker", () => {
    const topics = resolveTopics({ environment: "prod", tenants: ["a", "b"] });
    const c = tenantCeiling(topics, 2, 3, 3);
    expect(c.fixedPerBroker).toBe(215);
    expect(c.perTenantPerBroker).toBe(32);
    expect(c.budgetPerBroker).toBe(2000);
    expect(c.maxTenants).toBe(55);
  });

  it("refuses a stack with 56 tenants, naming file, field and figures; render writes nothing", async () => {
    const tenants = Array.from({ length: 56 }, (_, i) => `tenant-${i}`);
    const root = tempStackRoot("dev", [{ set: ["tenants"], value: tenants }]);
    roots.push(root);
    const [issue] = modelIssues("dev", root);
    expect(issue, "the model refuses the stack").toBeDefined();
    expect(issue?.file).toBe("Pulumi.dev.yaml");
    expect(issue?.path).toBe("config.kafka-platform:tenants");
    // 215 + 3 (the Schema Registry's journal, snapshots and events, one partition each, dev
    // runs it) + 56 × 32 = 2010 > 2000.
    expect(issue?.message).toContain(
      "56 tenants exceed the ceiling of 55: each adds 32 partition replicas to every broker, so the brokers would hold 2010 each, over the budget of 2000",
    );
    const run = await runRender(["--stack", "dev", "--root", root, "--out", join(root, "dist")]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "config.kafka-platform:tenants: 56 tenants exceed the ceiling of 55",
    );
    expect(filesUnder(root)).toEqual(["Pulumi.dev.yaml"]);
  }, 120_000);

  it("accepts 55", () => {
    const tenants = Array.from({ length: 55 }, (_, i) => `tenant-${i}`);
    const root = tempStackRoot("staging", [{ set: ["tenants"], value: tenants }]);
    roots.push(root);
    // Staging's disks are then what stops it, not the ceiling.
    const paths = modelIssues("staging", root).map((i) => i.path);
    expect(paths).not.toContain("config.kafka-platform:tenants");
  });
});
