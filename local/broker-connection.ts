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
 * A low-level connection (TLS, SCRAM-SHA-512 as `credential`) whose failures reach the caller
 * through `connect()` alone. @platformatic/kafka also emits a failure as an 'error' event, and
 * when the broker closes the socket while a login is in flight (seen under load, on a broker
 * that did not know a new user yet) it does so after `connect()` has stopped listening: with no
 * listener of ours that event ended the whole process (the integration lane of a CI run).
 */
export function brokerConnection(
  caPemPath: string,
  credential: ScramCredential,
  options: BrokerConnectionOptions,
): Connection {
  const opts = platformaticOptions([], caPemPath, credential);
  const connection = new Connection(options.clientId, {
    tls: opts.tls,
    sasl: opts.sasl,
    connectTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
  });
  connection.on("error", () => {});
  return connection;
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
  let lastError: unknown;
  for (const server of target.bootstrapServers) {
    const [host, port] = server.split(":");
    const connection = brokerConnection(target.caPemPath, target.admin, options);
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
  const connection = brokerConnection(caPemPath, credential, options);
  try {
    await connection.connect(host ?? "127.0.0.1", Number(port));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await connection.close().catch(() => {});
  }
}
