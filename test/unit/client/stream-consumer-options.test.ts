import { FetchIsolationLevels } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { streamConsumerOptions } from "../../../client/stream-consumer.ts";

const connection = {
  bootstrapServers: ["b1:9093", "b2:9093"],
  username: "search-indexer",
  password: "pw",
  caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
};

describe("library settings of the module's consumer", () => {
  const options = streamConsumerOptions({
    connection,
    clientId: "search-indexer-consumer",
    groupId: "search-indexer",
    groupProtocol: "consumer",
  });

  it("commits only by hand, reads committed data, in the service's group over KIP-848", () => {
    expect(options.autocommit).toBe(false);
    expect(options.isolationLevel).toBe(FetchIsolationLevels.READ_COMMITTED);
    expect(options.groupId).toBe("search-indexer");
    expect(options.groupProtocol).toBe("consumer");
  });

  it("logs in with SCRAM-SHA-512 over TLS against the given CA and brokers", () => {
    expect(options.sasl).toEqual({
      mechanism: "SCRAM-SHA-512",
      username: connection.username,
      password: connection.password,
    });
    expect(options.tls).toEqual({ ca: connection.caPem });
    expect(options.bootstrapBrokers).toEqual(connection.bootstrapServers);
  });

  it("fetches at most 1 MiB per partition and waits briefly for new data", () => {
    expect(options.maxBytesPerPartition).toBe(1_048_576);
    expect(options.maxWaitTime).toBeLessThanOrEqual(100);
  });

  it("hands over keys and values as bytes and header names and values as text", () => {
    const bytes = Buffer.from("traceparent");
    expect(options.deserializers.key(bytes)).toBe(bytes);
    expect(options.deserializers.value(undefined)).toBeUndefined();
    expect(options.deserializers.headerKey(bytes)).toBe("traceparent");
    expect(options.deserializers.headerValue(Buffer.from("00-ab-cd-01"))).toBe("00-ab-cd-01");
    expect(options.deserializers.headerValue(undefined)).toBe("");
  });
});
