import { statSync } from "node:fs";
import { Admin, ConfigResourceTypes } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformModel, type PlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import { ApplyRefusedError, applyCatalog } from "../../local/apply/apply.ts";
import { credentialsFile } from "../../local/credentials.ts";
import { resolveTopics } from "../../topics/resolve.ts";
import { clientOptions, testCluster, testClusterControl } from "./support/cluster.ts";

const baseline = { retries: 1, connectTimeout: 5000, requestTimeout: 20_000 } as const;

describe("the catalog applied to the live cluster", () => {
  let admin: Admin;
  const model = buildPlatformModel(loadStack("dev"));
  beforeAll(() => {
    admin = new Admin({ clientId: "apply-test", ...clientOptions(), ...baseline });
  });
  afterAll(async () => {
    await admin.close().catch(() => {});
  });

  it("has every catalog topic with the catalog's partitions, replication and configs", async () => {
    // Expected values straight from the catalog resolution, not from the apply code.
    const expected = resolveTopics({
      environment: "dev",
      tenants: loadStack("dev").config.tenants,
    });
    const names = expected.map((t) => t.name);
    const metadata = await admin.metadata({ topics: names, forceUpdate: true });
    const configs = await admin.describeConfigs({
      resources: names.map((resourceName) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName,
      })),
    });
    for (const topic of expected) {
      const live = metadata.topics.get(topic.name);
      expect(live, topic.name).toBeDefined();
      expect(live!.partitionsCount, `${topic.name} partitions`).toBe(topic.partitions);
      for (const p of live!.partitions)
        expect(p.replicas, `${topic.name} replicas`).toHaveLength(3);
      const liveConfig = Object.fromEntries(
        (configs.find((c) => c.resourceName === topic.name)?.configs ?? []).map((c) => [
          c.name,
          c.value,
        ]),
      );
      for (const [key, value] of Object.entries(topic.config)) {
        expect(liveConfig[key], `${topic.name} ${key}`).toBe(value);
      }
    }
    expect(expected.find((t) => t.name === "presence.updates")?.config["cleanup.policy"]).toBe(
      "compact,delete",
    );
  });

  it("re-applying is a no-op and never prints a password", async () => {
    const lines: string[] = [];
    const result = await applyCatalog(testClusterControl(), {
      stack: "dev",
      log: (l) => lines.push(l),
    });
    expect(result.plan.changes).toEqual([]);
    expect(result.applied).toBe(false);
    expect(lines.join("\n")).toContain("No changes");
    const info = testCluster();
    const secrets = [info.admin.password, ...Object.values(info.services).map((s) => s.password)];
    for (const secret of secrets) expect(lines.join("\n")).not.toContain(secret);
  });

  it("keeps the passwords in a file only its owner can read", () => {
    const mode = statSync(credentialsFile(testCluster().dir)).mode;
    expect(mode & 0o077).toBe(0);
  });

  it("refuses to delete a topic of a catalog family without --allow-destructive, then deletes it with it", async () => {
    const stray = "chat.messages.former-tenant";
    await admin.createTopics({ topics: [stray], partitions: 1, replicas: 3 });
    const cluster = testClusterControl();
    const dry = await applyCatalog(cluster, { stack: "dev", dryRun: true });
    expect(dry.plan.changes.map((c) => [c.action, c.target, c.destructive !== undefined])).toEqual([
      ["delete", `topic ${stray}`, true],
    ]);
    await expect(applyCatalog(cluster, { stack: "dev" })).rejects.toBeInstanceOf(ApplyRefusedError);
    expect(await admin.listTopics()).toContain(stray);
    const applied = await applyCatalog(cluster, { stack: "dev", allowDestructive: true });
    expect(applied.applied).toBe(true);
    await expect
      .poll(async () => (await admin.listTopics()).includes(stray), { timeout: 30_000 })
      .toBe(false);
  });

  it("leaves topics outside the catalog's families alone", async () => {
    const foreign = `scratch.apply-test-${Date.now()}`;
    await admin.createTopics({ topics: [foreign], partitions: 1, replicas: 3 });
    const plan = await applyCatalog(testClusterControl(), { stack: "dev", dryRun: true });
    expect(plan.plan.changes).toEqual([]);
    await admin.deleteTopics({ topics: [foreign] });
  });

  it("refuses a retention cut unless allowed, and refuses fewer partitions always", async () => {
    const withTopic = (
      name: string,
      change: (t: PlatformModel["topics"][number]) => PlatformModel["topics"][number],
    ): PlatformModel => ({
      ...model,
      topics: model.topics.map((t) => (t.name === name ? change(t) : t)),
    });
    const cluster = testClusterControl();
    const cut = withTopic("audit.log", (t) => ({
      ...t,
      config: { ...t.config, "retention.ms": "3600000" },
    }));
    const cutPlan = await applyCatalog(cluster, { model: cut, dryRun: true });
    expect(cutPlan.plan.changes).toHaveLength(1);
    expect(cutPlan.plan.changes[0]?.destructive).toMatch(/cuts retention/);
    await expect(applyCatalog(cluster, { model: cut })).rejects.toThrow(/--allow-destructive/);

    const shrink = withTopic("notifications.pending", (t) => ({
      ...t,
      partitions: t.partitions - 1,
    }));
    const shrinkPlan = await applyCatalog(cluster, { model: shrink, dryRun: true });
    expect(shrinkPlan.plan.changes[0]?.impossible).toMatch(/cannot reduce/);
    await expect(applyCatalog(cluster, { model: shrink, allowDestructive: true })).rejects.toThrow(
      /cannot make/,
    );

    // Nothing changed on the cluster.
    expect((await applyCatalog(cluster, { stack: "dev", dryRun: true })).plan.changes).toEqual([]);
  });
});
