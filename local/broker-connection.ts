import { Connection } from "@platformatic/kafka";
import type { ScramCredential } from "./credentials.ts";
import { platformaticOptions } from "./kafka-client-options.ts";

/** Where and as whom the local tools talk to the cluster. */
export interface BrokerTarget {
  readonly bootstrapServers: readonly string[];
  readonly caPemPath: string;
  readonly admin: ScramCredential;
}

export interface BrokerConnectionOptions {
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Runs `fn` on one authenticated low-level connection to the first broker that accepts it,
 * for the requests @platformatic/kafka's Admin does not wrap (SCRAM credentials, the KRaft
 * quorum, raw metadata with internal topics). The connection is always closed.
 */
export async function onAnyBroker<T>(
  target: BrokerTarget,
  options: BrokerConnectionOptions,
  fn: (c: Connection) => Promise<T>,
): Promise<T> {
  const opts = platformaticOptions(target.bootstrapServers, target.caPemPath, target.admin);
  let lastError: unknown;
  for (const server of target.bootstrapServers) {
    const [host, port] = server.split(":");
    const connection = new Connection(options.clientId, {
      tls: opts.tls,
      sasl: opts.sasl,
      connectTimeout: options.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
    });
    try {
      await connection.connect(host ?? "127.0.0.1", Number(port));
      return await fn(connection);
    } catch (e) {
      lastError = e;
    } finally {
      await connection.close().catch(() => {});
    }
  }
  throw lastError instanceof Error ? lastError : new Error("no broker answered");
}

/**
 * Opens one connection to `server` as `credential` (TLS and SCRAM-SHA-512) and closes it.
 * Returns undefined when the broker authenticated it, else why not.
 */
export async function authenticatesOn(
  server: string,
  caPemPath: string,
  credential: ScramCredential,
  options: BrokerConnectionOptions,
): Promise<string | undefined> {
  const [host, port] = server.split(":");
  const opts = platformaticOptions([server], caPemPath, credential);
  const connection = new Connection(options.clientId, {
    tls: opts.tls,
    sasl: opts.sasl,
    connectTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
  });
  try {
    await connection.connect(host ?? "127.0.0.1", Number(port));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await connection.close().catch(() => {});
  }
}
