import { randomBytes } from "node:crypto";
import { Admin } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { broadcastGroupPrefixFor } from "../../acl/derive.ts";
import { createKafkaClient } from "../../client/index.ts";
import { connectionFor, freshTenant, sentAt, waitFor } from "./client-helpers.ts";
import { clientOptions } from "./support/cluster.ts";

/** Messages of this test's tenant, by instance. */
type Seen = Map<string, string[]>;

describe("broadcast readers on the real cluster", () => {
  it("every socket-service instance reads every presence update, in a group of its own that commits nothing", async () => {
    const tenant = freshTenant("bc");
    const run = randomBytes(3).toString("hex");
    const instances = [`a-${run}`, `b-${run}`];
    const seen: Seen = new Map(instances.map((i) => [i, []]));
    const probed = new Map(instances.map((i) => [i, new Set<number>()]));
    const kafka = createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    });
    const readers = instances.map((instanceId) =>
      kafka.broadcastConsumer({
        instanceId,
        topics: ["presence.updates"],
        handler: (envelope, ctx) => {
          if (envelope.type !== "presence.changed" || envelope.tenant_id !== tenant)
            return Promise.resolve();
          if (envelope.payload.user_id.startsWith("probe-"))
            probed.get(instanceId)?.add(ctx.partition);
          else seen.get(instanceId)?.push(envelope.payload.user_id);
          return Promise.resolve();
        },
      }),
    );
    expect(readers.map((r) => r.groupId)).toEqual(
      instances.map((i) => `${broadcastGroupPrefixFor("socket-service")}${i}`),
    );
    const producer = await kafka.producer();
    const send = (userId: string) =>
      producer.send("presence.updates", {
        type: "presence.changed",
        tenantId: tenant,
        payload: { user_id: userId, status: "online", changed_at: sentAt() },
      });
    try {
      await Promise.all(readers.map((r) => r.start()));
      // They start at the latest offset, which each partition resolves on its own: send probes
      // over many keys until both readers have seen one on every partition.
      const deadline = Date.now() + 60_000;
      while (!instances.every((i) => probed.get(i)?.size === 16)) {
        if (Date.now() > deadline)
          throw new Error("timed out waiting for both readers to see a probe on every partition");
        await Promise.all(Array.from({ length: 64 }, (_, n) => send(`probe-${n}`)));
        await new Promise((r) => setTimeout(r, 250));
      }
      const users = Array.from({ length: 24 }, (_, n) => `user-${n}`);
      await Promise.all(users.map(send));
      await waitFor(
        () => instances.every((i) => users.every((u) => seen.get(i)?.includes(u))),
        60_000,
        "every update in both readers",
      );
      for (const i of instances) {
        expect(seen.get(i)?.sort()).toEqual([...users].sort());
        expect(readers[instances.indexOf(i)]?.health().assignment).toHaveLength(16);
      }
    } finally {
      await producer.disconnect();
      await Promise.all(readers.map((r) => r.stop()));
    }

    const admin = new Admin({ clientId: "broadcast-test", ...clientOptions() });
    try {
      const groups = await admin.listConsumerGroupOffsets({
        groups: readers.map((r) => r.groupId),
      });
      const committed = groups.flatMap((g) =>
        g.topics.flatMap((t) => t.partitions.filter((p) => p.committedOffset >= 0n)),
      );
      expect(groups).toHaveLength(2);
      expect(committed).toEqual([]);
    } finally {
      await admin.close();
    }
  });
});
