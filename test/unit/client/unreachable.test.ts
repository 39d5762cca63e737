import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KafkaConnectionError, createKafkaClient } from "../../../client/index.ts";

// A real CA certificate, so the library gets as far as trying the network.
const system = readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8");
const caPem = system.slice(0, system.indexOf("-----END CERTIFICATE-----") + 25);

describe("a cluster that cannot be reached at start", () => {
  it("fails the producer's connect with KafkaConnectionError naming the bootstrap servers, within the connect timeout", async () => {
    const kafka = createKafkaClient({
      service: "socket-service",
      connection: { bootstrapServers: ["127.0.0.1:1"], username: "u", password: "p", caPem },
    });
    const started = Date.now();
    const failure = await kafka.producer().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(KafkaConnectionError);
    expect((failure as Error).message).toMatch(
      /^producer of socket-service: cannot connect to Kafka at 127\.0\.0\.1:1: /,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
