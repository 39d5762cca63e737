import { describe, expect, it } from "vitest";
import { createKafkaClient } from "../../../client/index.ts";

// Nothing connects: the instance id is checked before any client is created.
const connection = {
  bootstrapServers: ["127.0.0.1:1"],
  username: "socket-service",
  password: "unused",
  caPem: "unused",
};

describe("broadcastConsumer", () => {
  const kafka = createKafkaClient({ service: "socket-service", connection });
  const reader = (instanceId: string) =>
    kafka.broadcastConsumer({
      instanceId,
      topics: ["presence.updates"],
      handler: () => Promise.resolve(),
    });

  it.each(["Socket_0", "", "-socket", "socket-", "a".repeat(64), "pod/0"])(
    "refuses the instance id %j with the rule it breaks",
    (instanceId) => {
      expect(() => reader(instanceId)).toThrow(
        `broadcastConsumer: instanceId "${instanceId}" must be 1-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit (a pod name fits)`,
      );
    },
  );

  it.each(["socket-service-7d9f8-x2k4q", "0", "socket.0"])(
    "takes the pod-like instance id %j",
    async (instanceId) => {
      const consumer = reader(instanceId);
      expect(consumer.groupId).toBe(`socket-service.broadcast.${instanceId}`);
      expect(consumer.health()).toMatchObject({ connected: false, running: false });
      await consumer.stop();
    },
  );

  it("leaves a shared consumer in the group named after its service", async () => {
    const consumer = createKafkaClient({ service: "search-indexer", connection }).consumer({
      topics: ["chat.events"],
      handler: () => Promise.resolve(),
    });
    expect(consumer.groupId).toBe("search-indexer");
    await consumer.stop();
  });
});
