import { describe, expect, it } from "vitest";
import { nativeConsumerConfig } from "../../../client/native-consumer.ts";
import { nativeProducerConfig } from "../../../client/native-producer.ts";

const connection = {
  bootstrapServers: ["b1:9093", "b2:9093"],
  username: "socket-service",
  password: "pw",
  caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
};

describe("librdkafka settings of the module's producer and consumer", () => {
  const producer = nativeProducerConfig({
    connection,
    clientId: "socket-service-producer",
    compression: "zstd",
    lingerMs: 20,
    deliveryTimeoutMs: 90_000,
    retryBackoffMs: 50,
    retryBackoffMaxMs: 500,
  });

  it("the producer is idempotent with acks=all and keeps the tuning it was given", () => {
    expect(producer.global["enable.idempotence"]).toBe(true);
    expect(producer.topic.acks).toBe(-1);
    expect(producer.topic["message.timeout.ms"]).toBe(90_000);
    expect(producer.global["compression.codec"]).toBe("zstd");
    expect(producer.global["linger.ms"]).toBe(20);
    expect(producer.global["retry.backoff.ms"]).toBe(50);
    expect(producer.global["retry.backoff.max.ms"]).toBe(500);
    // Same key → same partition as Java and the transactional (KafkaJS-layer) producer.
    expect(producer.topic.partitioner).toBe("murmur2_random");
    // Delivery reports are what resolve send() and call the fire-and-forget callback.
    expect(producer.global.dr_cb).toBe(true);
  });

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

  it.each([
    ["producer", producer.global],
    ["consumer", consumer.global],
  ])("the %s logs in with SCRAM-SHA-512 over TLS against the given CA and brokers", (_, global) => {
    expect(global["security.protocol"]).toBe("sasl_ssl");
    expect(global["sasl.mechanisms"]).toBe("SCRAM-SHA-512");
    expect(global["sasl.username"]).toBe(connection.username);
    expect(global["sasl.password"]).toBe(connection.password);
    expect(global["ssl.ca.pem"]).toBe(connection.caPem);
    expect(global["bootstrap.servers"]).toBe("b1:9093,b2:9093");
  });
});
