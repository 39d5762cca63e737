import { describe, expect, it } from "vitest";
import { nativeConsumerConfig } from "../../../client/native-consumer.ts";

const connection = {
  bootstrapServers: ["b1:9093", "b2:9093"],
  username: "socket-service",
  password: "pw",
  caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
};

describe("librdkafka settings of the module's consumer", () => {
  const consumer = nativeConsumerConfig({
    connection,
    clientId: "search-indexer-consumer",
    groupId: "search-indexer",
    groupProtocol: "consumer",
  });

  it("the consumer commits only by hand, reads committed data, and starts at the earliest offset", () => {
    expect(consumer.global["enable.auto.commit"]).toBe(false);
    expect(consumer.global["isolation.level"]).toBe("read_committed");
    expect(consumer.topic["auto.offset.reset"]).toBe("earliest");
    expect(consumer.global["group.id"]).toBe("search-indexer");
    expect(consumer.global["group.protocol"]).toBe("consumer");
  });

  it("the consumer logs in with SCRAM-SHA-512 over TLS against the given CA and brokers", () => {
    const global = consumer.global;
    expect(global["security.protocol"]).toBe("sasl_ssl");
    expect(global["sasl.mechanisms"]).toBe("SCRAM-SHA-512");
    expect(global["sasl.username"]).toBe(connection.username);
    expect(global["sasl.password"]).toBe(connection.password);
    expect(global["ssl.ca.pem"]).toBe(connection.caPem);
    expect(global["bootstrap.servers"]).toBe("b1:9093,b2:9093");
  });
});
