import { describe, expect, it } from "vitest";
import { loadConnectionConfig } from "../../../client/config.ts";
import { parseScramJaasConfig } from "../../../client/jaas.ts";
import { ValidationError } from "../../../topics/validation-error.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const JAAS =
  'org.apache.kafka.common.security.scram.ScramLoginModule required username="search-indexer" password="s3cr\\"et";';

function files(map: Record<string, string>) {
  return {
    readFile: (p: string) => {
      const v = map[p];
      if (v === undefined) throw new Error(`no ${p}`);
      return v;
    },
    exists: (p: string) => p in map || Object.keys(map).some((k) => k.startsWith(`${p}/`)),
  };
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError)
      return error.issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("sasl.jaas.config", () => {
  it("reads the user and password Strimzi writes, with escaped quotes", () => {
    expect(parseScramJaasConfig(JAAS)).toEqual({ username: "search-indexer", password: 's3cr"et' });
  });
  it("explains what is wrong with other login modules or missing options", () => {
    expect(
      parseScramJaasConfig("org.apache.kafka.common.security.plain.PlainLoginModule required;"),
    ).toEqual({
      problem: "must start with org.apache.kafka.common.security.scram.ScramLoginModule",
    });
    expect(
      parseScramJaasConfig(
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="a";',
      ),
    ).toEqual({ problem: "has no password option" });
  });
});

describe("loadConnectionConfig", () => {
  it("reads a mounted KafkaUser Secret and CA Secret directory", () => {
    const config = loadConnectionConfig({
      env: {
        KAFKA_BOOTSTRAP_SERVERS: "kafka-0:9093, kafka-1:9093",
        KAFKA_CREDENTIALS_DIR: "/var/run/kafka/user",
        KAFKA_CA_DIR: "/var/run/kafka/ca",
      },
      ...files({
        "/var/run/kafka/user/password": 's3cr"et\n',
        "/var/run/kafka/user/sasl.jaas.config": JAAS,
        "/var/run/kafka/ca/ca.crt": PEM,
      }),
    });
    expect(config).toEqual({
      bootstrapServers: ["kafka-0:9093", "kafka-1:9093"],
      username: "search-indexer",
      password: 's3cr"et',
      caPem: PEM,
    });
  });

  it("reads plain environment variables", () => {
    const config = loadConnectionConfig({
      env: {
        KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
        KAFKA_USERNAME: "audit-service",
        KAFKA_PASSWORD: "pw",
        KAFKA_CA_CERT: PEM,
      },
      ...files({}),
    });
    expect(config.username).toBe("audit-service");
    expect(config.password).toBe("pw");
  });

  it("lists every missing value with the variables that would provide it", () => {
    expect(issuesOf(() => loadConnectionConfig({ env: {}, ...files({}) }))).toEqual([
      "environment: KAFKA_BOOTSTRAP_SERVERS: is not set",
      "environment: KAFKA_USERNAME: no user name: set it, or provide sasl.jaas.config",
      "environment: KAFKA_PASSWORD: no password: set it, or mount the KafkaUser Secret",
      "environment: KAFKA_CA_CERT: no cluster CA: TLS needs it",
    ]);
  });

  it("names the file of a broken mounted Secret and never prints the password", () => {
    let message = "";
    const issues = issuesOf(() => {
      try {
        loadConnectionConfig({
          env: {
            KAFKA_BOOTSTRAP_SERVERS: "kafka:9093",
            KAFKA_CREDENTIALS_DIR: "/m",
            KAFKA_PASSWORD: "other-secret",
            KAFKA_CA_CERT_FILE: "/ca.crt",
          },
          ...files({ "/m/sasl.jaas.config": JAAS, "/ca.crt": "not a pem" }),
        });
      } catch (error) {
        message = (error as Error).message;
        throw error;
      }
    });
    expect(issues).toEqual([
      "environment: KAFKA_PASSWORD: differs from the password in sasl.jaas.config",
      "/ca.crt: ca.crt: is not a PEM certificate (no BEGIN CERTIFICATE line)",
    ]);
    expect(message).not.toContain("other-secret");
    expect(message).not.toContain("s3cr");
  });

  it("rejects bootstrap entries that are not host:port", () => {
    expect(
      issuesOf(() =>
        loadConnectionConfig({
          env: {
            KAFKA_BOOTSTRAP_SERVERS: "kafka",
            KAFKA_USERNAME: "u",
            KAFKA_PASSWORD: "p",
            KAFKA_CA_CERT: PEM,
          },
          ...files({}),
        }),
      ),
    ).toEqual(['environment: KAFKA_BOOTSTRAP_SERVERS: "kafka" is not host:port']);
  });
});
