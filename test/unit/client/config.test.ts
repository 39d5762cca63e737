import { describe, expect, it } from "vitest";
import { loadConnectionConfig } from "../../../client/config.ts";
import { ValidationError } from "../../../topics/validation-error.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

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

describe("loadConnectionConfig", () => {
  it("reads the Secret kafka-<service> mounted as a directory (bootstrap.servers, username, password, ca.crt)", () => {
    const config = loadConnectionConfig({
      env: { KAFKA_CREDENTIALS_DIR: "/var/run/kafka" },
      ...files({
        "/var/run/kafka/bootstrap.servers": "kafka-0:9093, kafka-1:9093\n",
        "/var/run/kafka/username": "search-indexer\n",
        "/var/run/kafka/password": 's3cr"et\n',
        "/var/run/kafka/ca.crt": PEM,
      }),
    });
    expect(config).toEqual({
      bootstrapServers: ["kafka-0:9093", "kafka-1:9093"],
      username: "search-indexer",
      password: 's3cr"et',
      caPem: PEM,
    });
  });

  it("reads plain environment variables (local runs), the CA as text or as a file", () => {
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
      KAFKA_USERNAME: "audit-service",
      KAFKA_PASSWORD: "pw",
    };
    const inline = loadConnectionConfig({ env: { ...env, KAFKA_CA_CERT: PEM }, ...files({}) });
    expect(inline).toEqual({
      bootstrapServers: ["127.0.0.1:9092"],
      username: "audit-service",
      password: "pw",
      caPem: PEM,
    });
    const fromFile = loadConnectionConfig({
      env: { ...env, KAFKA_CA_CERT_FILE: "/tmp/ca.pem" },
      ...files({ "/tmp/ca.pem": `${PEM}\n` }),
    });
    expect(fromFile.caPem).toBe(PEM);
  });

  it("lists every missing variable with what would provide it", () => {
    expect(issuesOf(() => loadConnectionConfig({ env: {}, ...files({}) }))).toEqual([
      "environment: KAFKA_BOOTSTRAP_SERVERS: is not set",
      "environment: KAFKA_USERNAME: is not set",
      "environment: KAFKA_PASSWORD: is not set",
      "environment: KAFKA_CA_CERT: no cluster CA: TLS needs it",
    ]);
  });

  it("names each missing or broken file of a mounted Secret and never prints the password", () => {
    let message = "";
    const issues = issuesOf(() => {
      try {
        loadConnectionConfig({
          env: { KAFKA_CREDENTIALS_DIR: "/m", KAFKA_PASSWORD: "ignored" },
          ...files({
            "/m/bootstrap.servers": "kafka",
            "/m/password": "s3cret",
            "/m/username": "",
            "/m/ca.crt": "not a pem",
          }),
        });
      } catch (error) {
        message = (error as Error).message;
        throw error;
      }
    });
    expect(issues).toEqual([
      '/m/bootstrap.servers: bootstrap.servers: "kafka" is not host:port',
      "/m/username: username: file is empty",
      "/m/ca.crt: ca.crt: is not a PEM certificate (no BEGIN CERTIFICATE line)",
    ]);
    expect(message).not.toContain("s3cret");
    expect(
      issuesOf(() =>
        loadConnectionConfig({ env: { KAFKA_CREDENTIALS_DIR: "/gone" }, ...files({}) }),
      ),
    ).toEqual(["/gone: KAFKA_CREDENTIALS_DIR: directory does not exist"]);
    expect(
      issuesOf(() =>
        loadConnectionConfig({
          env: { KAFKA_CREDENTIALS_DIR: "/m" },
          ...files({ "/m/username": "u", "/m/password": "p", "/m/ca.crt": PEM }),
        }),
      ),
    ).toEqual([
      "/m/bootstrap.servers: bootstrap.servers: file does not exist (is the Secret kafka-<service> complete?)",
    ]);
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
