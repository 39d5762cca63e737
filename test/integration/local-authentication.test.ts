import { connect as tlsConnect } from "node:tls";
import { readFileSync } from "node:fs";
import { Admin, Connection } from "@platformatic/kafka";
import { afterEach, describe, expect, it } from "vitest";
import { clientOptions, serviceCredential, testCluster } from "./support/cluster.ts";
import { KafkaErrorCodes, kafkaErrorCodes, errorChain, rejection } from "./support/kafka-errors.ts";

const admins: Admin[] = [];
afterEach(async () => {
  await Promise.all(admins.splice(0).map((a) => a.close().catch(() => {})));
});

function admin(options: ConstructorParameters<typeof Admin>[0]): Admin {
  const a = new Admin({ retries: 0, connectTimeout: 5000, requestTimeout: 10_000, ...options });
  admins.push(a);
  return a;
}

/** Sends a Kafka Metadata v12 request on a TLS connection without SASL and reports how the broker reacts. */
function metadataWithoutSasl(
  host: string,
  port: number,
  ca: string,
): Promise<"closed" | "answered"> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, ca, servername: undefined }, () => {
      const clientId = Buffer.from("no-credentials");
      // Request header v2: api key 3 (Metadata), version 12, correlation id 1, client id, no tags.
      const header = Buffer.alloc(2 + 2 + 4 + 2);
      header.writeInt16BE(3, 0);
      header.writeInt16BE(12, 2);
      header.writeInt32BE(1, 4);
      header.writeInt16BE(clientId.length, 8);
      // Body: topics = null (compact array length 0), allow auto create false, include authorized ops false, no tags.
      const body = Buffer.from([0x00, 0x00, 0x00, 0x00]);
      const payload = Buffer.concat([header, clientId, Buffer.from([0x00]), body]);
      const size = Buffer.alloc(4);
      size.writeInt32BE(payload.length, 0);
      socket.write(Buffer.concat([size, payload]));
    });
    let answered = false;
    socket.on("data", () => {
      answered = true;
    });
    socket.on("error", () => resolve("closed"));
    socket.on("close", () => resolve(answered ? "answered" : "closed"));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error("the broker neither answered nor closed the connection within 10s"));
    });
  });
}

describe("authentication on the SASL_SSL listener", () => {
  it("refuses a client that sends requests without authenticating", async () => {
    const info = testCluster();
    const [host, port] = info.bootstrapServers[0]!.split(":");
    const outcome = await metadataWithoutSasl(
      host!,
      Number(port),
      readFileSync(info.caPemPath, "utf8"),
    );
    expect(outcome).toBe("closed");
  });

  it("refuses a client with no SASL configured (TLS only)", async () => {
    const { bootstrapBrokers, tls } = clientOptions();
    const tlsOnly = { bootstrapBrokers, tls };
    const error = await rejection(admin({ clientId: "no-sasl", ...tlsOnly }).listTopics());
    expect(errorChain(error)).not.toBe("");
  });

  it("refuses a plaintext client (no TLS)", async () => {
    const { bootstrapBrokers, sasl } = clientOptions();
    const plain = { bootstrapBrokers, sasl };
    await rejection(admin({ clientId: "plaintext", ...plain }).listTopics());
  });

  it("refuses a service user with a wrong password, with an authentication error", async () => {
    const good = serviceCredential("socket-service");
    const options = clientOptions({ username: good.username, password: `${good.password}x` });
    const [host, port] = testCluster().bootstrapServers[0]!.split(":");
    const connection = new Connection("wrong-password", { tls: options.tls, sasl: options.sasl });
    try {
      const error = await rejection(connection.connect(host!, Number(port)) as Promise<void>);
      expect(errorChain(error)).toMatch(/invalid credentials/i);
      expect(kafkaErrorCodes(error)).toContain(KafkaErrorCodes.SASL_AUTHENTICATION_FAILED);
    } finally {
      await connection.close().catch(() => {});
    }
  });

  it("refuses an unknown user", async () => {
    const error = await rejection(
      admin({
        clientId: "unknown",
        ...clientOptions({ username: "nobody", password: "secret-secret" }),
      }).listTopics(),
    );
    expect(errorChain(error)).toMatch(/invalid credentials|authentication/i);
  });

  it("accepts the same service user with its real password", async () => {
    const topics = await admin({
      clientId: "right-password",
      ...clientOptions(serviceCredential("socket-service")),
    }).listTopics();
    // socket-service may Describe only its own topics, so it sees some topics but not audit.log.
    expect(topics).toContain("chat.events");
    expect(topics).not.toContain("audit.log");
  });
});
