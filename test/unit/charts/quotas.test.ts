import { rmSync } from "node:fs";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { desiredState } from "../../../local/apply/desired-state.ts";
import { planChanges } from "../../../local/apply/plan.ts";
import type { LiveState } from "../../../local/apply/types.ts";
import { tempStackRoot } from "../config/stack-mutations.ts";
import { modelIssues } from "../support/model-issues.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";
import { filesUnder, runRender } from "../render/run-render.ts";

/**
 * Issue 14, item 4: every KafkaUser carries per-broker quotas sized from the catalog's rates,
 * and the local apply sets the same ones. Expected prod figures are worked out here by hand
 * from the catalog's peaks (topics/catalog.ts), 3 brokers (÷ 2: one may be down), produce
 * headroom 2, consume catch-up 3, floor 1 MiB/s in prod.
 */
const KiB = 1024;

describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  it("gives every KafkaUser producerByteRate, consumerByteRate and requestPercentage", () => {
    const users = ofKind(rendered.objects, "KafkaUser");
    expect(users.filter((u) => !isMirrorMakerUser(u)).length).toBe(
      rendered.model.access.length + 1,
    );
    for (const u of users) {
      const q = field(u, "spec", "quotas") as Record<string, number>;
      expect(Object.keys(q).sort(), u.metadata.name).toEqual([
        "consumerByteRate",
        "producerByteRate",
        "requestPercentage",
      ]);
      for (const v of Object.values(q)) expect(v).toBeGreaterThan(0);
    }
  });
});

describe("prod quotas from the catalog", () => {
  const prod = renderedStacks().find((s) => s.stack === "prod-us-east-1")!;
  const quotas = (user: string): unknown =>
    field(
      ofKind(prod.objects, "KafkaUser").find((u) => u.metadata.name === user),
      "spec",
      "quotas",
    );

  it("socket-service: writes 4 tenants' chat, events, presence, analytics, its DLQ; reads broadcasts in 12 pods", () => {
    // produce peak: 4 × 1536 + 512 + 200 + 2048 + 64 (dlq) = 8968 KiB/s; × 2 ÷ 2 brokers.
    // consume peak: (512 + 200) × 12 instances = 8544 KiB/s; × 3 ÷ 2 = 12816 KiB/s.
    expect(quotas("socket-service")).toEqual({
      producerByteRate: 8968 * KiB,
      consumerByteRate: 12816 * KiB,
      requestPercentage: 100,
    });
  });

  it("message-processor: reads 4 tenants' chat and its commands, writes events, notifications, analytics", () => {
    // produce: 512 + 200 + 2048 + 64 = 2824 KiB/s × 2 ÷ 2; consume: 4 × 1536 + 32 = 6176 × 3 ÷ 2.
    expect(quotas("message-processor")).toEqual({
      producerByteRate: 2824 * KiB,
      consumerByteRate: 9264 * KiB,
      requestPercentage: 100,
    });
  });

  it("audit-service: small rates get the 1 MiB/s floor", () => {
    // produce: 64 KiB (dlq) × 2 ÷ 2 = 64 KiB; consume: 100 KiB × 3 ÷ 2 = 150 KiB: both < 1 MiB.
    expect(quotas("audit-service")).toEqual({
      producerByteRate: 1024 * KiB,
      consumerByteRate: 1024 * KiB,
      requestPercentage: 100,
    });
  });
});

describe("the local apply sets the same quotas", () => {
  const model = buildPlatformModel(loadStack("dev"));
  const desired = desiredState(model);
  const empty: LiveState = { topics: new Map(), users: [], acls: [], quotas: new Map() };

  it("desires exactly the KafkaUsers' quotas", () => {
    const users = renderedStacks()
      .find((s) => s.stack === "dev")!
      .objects.filter((o) => o.kind === "KafkaUser" && !isMirrorMakerUser(o));
    expect(desired.quotas.map((q) => q.user).sort()).toEqual(
      users.map((u) => u.metadata.name).sort(),
    );
    for (const q of desired.quotas) {
      const u = users.find((x) => x.metadata.name === q.user)!;
      expect({
        producerByteRate: q.producerByteRate,
        consumerByteRate: q.consumerByteRate,
        requestPercentage: q.requestPercentage,
      }).toEqual(field(u, "spec", "quotas"));
    }
  });

  it("plans a quota change per user that differs, and none once they match", () => {
    const plan = planChanges(desired, empty, { managedUsers: [], knownPasswords: [] });
    expect(plan.changes.filter((c) => c.kind === "quota")).toHaveLength(desired.quotas.length);
    const applied: LiveState = {
      ...empty,
      quotas: new Map(desired.quotas.map(({ user, ...q }) => [user, q])),
    };
    const again = planChanges(desired, applied, { managedUsers: [], knownPasswords: [] });
    expect(again.changes.filter((c) => c.kind === "quota")).toEqual([]);
  });
});

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe("a stack quota that cannot carry the catalog", { timeout: 120_000 }, () => {
  it("is refused with file, field and the figure; render writes nothing", async () => {
    const root = tempStackRoot("prod-us-east-1", [
      { set: ["quotas"], value: { "socket-service": { producerByteRate: 1048576 } } },
    ]);
    roots.push(root);
    const [issue] = modelIssues("prod-us-east-1", root);
    expect(issue, "the model refuses the stack").toBeDefined();
    expect(issue?.file).toBe("Pulumi.prod-us-east-1.yaml");
    expect(issue?.path).toBe("config.kafka-platform:quotas.socket-service.producerByteRate");
    // 8968 KiB/s = 9183232 B/s peak; ÷ 2 = 4591616 B/s per broker.
    expect(issue?.message).toBe(
      "1048576 B/s per broker cannot carry the catalog: socket-service's topics peak at 9183232 B/s, 4591616 B/s per broker with one of 3 brokers down; set at least 4591616",
    );
    const run = await runRender([
      "--stack",
      "prod-us-east-1",
      "--root",
      root,
      "--out",
      join(root, "dist"),
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("quotas.socket-service.producerByteRate: 1048576 B/s per broker");
    expect(filesUnder(root)).toEqual(["Pulumi.prod-us-east-1.yaml"]);
  });

  it("names an unknown service with the allowed ones", () => {
    const root = tempStackRoot("staging", [
      { set: ["quotas"], value: { billing: { producerByteRate: 1 } } },
    ]);
    roots.push(root);
    const [issue] = modelIssues("staging", root);
    expect(issue, "the model refuses the stack").toBeDefined();
    expect(issue?.path).toBe("config.kafka-platform:quotas.billing");
    expect(issue?.allowed).toContain("socket-service");
  });

  it("accepts an override at or above the need", () => {
    const root = tempStackRoot("prod-us-east-1", [
      { set: ["quotas"], value: { "socket-service": { producerByteRate: 4591616 } } },
    ]);
    roots.push(root);
    const model = buildPlatformModel(loadStack("prod-us-east-1", root));
    expect(model.quotas["socket-service"]?.producerByteRate).toBe(4591616);
  });
});
