import { describe, expect, it } from "vitest";
import { KafkaAuthenticationError, createKafkaClient } from "../../client/index.ts";
import { connectionFor } from "./client-helpers.ts";

describe("client authentication on the real cluster", () => {
  it("a wrong password gives a clear error naming the user and what to check", async () => {
    const client = createKafkaClient({
      service: "socket-service",
      connection: { ...connectionFor("socket-service"), password: "not-the-password" },
    });
    const failure = await client.producer().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(KafkaAuthenticationError);
    expect((failure as Error).message).toMatch(
      /^Kafka rejected the SASL\/SCRAM-SHA-512 login of user "socket-service" at 127\.0\.0\.1:\d+.*password is wrong.*KafkaUser Secret/,
    );
    expect((failure as Error).message).not.toContain("not-the-password");
  });

  it("the right password connects and sends", async () => {
    const producer = await createKafkaClient({
      service: "auth-service",
      connection: connectionFor("auth-service"),
    }).producer();
    try {
      const delivery = await producer.send("audit.log", {
        type: "audit.recorded",
        tenantId: "acme",
        payload: {
          actor_id: "u1",
          action: "login",
          target: "session",
          outcome: "success",
          recorded_at: new Date().toISOString(),
        },
      });
      expect(delivery.topic).toBe("audit.log");
      expect(Number(delivery.offset)).toBeGreaterThanOrEqual(0);
    } finally {
      await producer.disconnect();
    }
  });
});
