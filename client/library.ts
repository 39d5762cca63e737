import { setTimeout as delay } from "node:timers/promises";
import type { RdKafka } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";

/** A log line from the library (librdkafka) or the module, for the service's logger. */
export type ClientLog = (level: "error" | "warn" | "info", message: string) => void;

/** librdkafka settings every client shares: SASL_SSL with SCRAM-SHA-512 against the cluster CA. */
export function loginConfig(connection: ConnectionConfig, clientId: string) {
  return {
    "bootstrap.servers": connection.bootstrapServers.join(","),
    "client.id": clientId,
    "security.protocol": "sasl_ssl" as const,
    "sasl.mechanisms": "SCRAM-SHA-512",
    "sasl.username": connection.username,
    "sasl.password": connection.password,
    "ssl.ca.pem": connection.caPem,
  };
}

export class KafkaAuthenticationError extends Error {
  constructor(username: string, bootstrap: readonly string[], cause: unknown) {
    super(
      `Kafka rejected the SASL/SCRAM-SHA-512 login of user "${username}" at ${bootstrap.join(",")}: ` +
        "the password is wrong or the user does not exist. Check the KafkaUser Secret mounted " +
        "for this service (kafka-<service>: keys username, password) or KAFKA_PASSWORD.",
      { cause },
    );
    this.name = "KafkaAuthenticationError";
  }
}

export class KafkaConnectionError extends Error {
  constructor(what: string, bootstrap: readonly string[], cause: unknown) {
    super(`${what}: cannot connect to Kafka at ${bootstrap.join(",")}: ${asError(cause).message}`, {
      cause,
    });
    this.name = "KafkaConnectionError";
  }
}

/** A refused login in librdkafka's words (its error -169 or a SASL/SCRAM log line). */
const AUTH_FAILURE = [/authentication/i, /SASL/, /SCRAM/i, /-169\b/];

/** The error itself, or an Error carrying its message (librdkafka calls back with plain objects). */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const message = (error as { message?: unknown } | null)?.message;
  return new Error(typeof message === "string" ? message : String(error));
}

/** What librdkafka's producer and consumer have in common here. */
interface LibraryClient {
  on(event: "event.error", listener: (error: RdKafka.LibrdKafkaError) => void): unknown;
  on(
    event: "event.log",
    listener: (event: { severity?: number; fac?: string; message?: string }) => void,
  ): unknown;
  connect(options: RdKafka.MetadataOptions, callback: (error: unknown) => void): unknown;
  isConnected(): boolean;
  disconnect(callback: (error: unknown) => void): unknown;
}

/**
 * Connects (metadata within 20 s) and sends the library's errors and warnings to the service's
 * log. librdkafka reports a refused login as a log line and keeps retrying, so the first such
 * line fails the connect at once with KafkaAuthenticationError.
 */
export async function connectClearly(
  client: LibraryClient,
  options: { connection: ConnectionConfig; log?: ClientLog | undefined },
  what: string,
): Promise<void> {
  const { connection, log } = options;
  let refuse: (text: string) => void = () => undefined;
  const refused = new Promise<never>((_, reject) => (refuse = (text) => reject(new Error(text))));
  const report = (level: "error" | "warn" | undefined, text: string): void => {
    if (AUTH_FAILURE.some((p) => p.test(text))) refuse(text);
    if (level !== undefined) log?.(level, text);
  };
  client.on("event.error", (e) => report("error", `${e.message} (code ${String(e.code)})`));
  client.on("event.log", (e) =>
    report((e.severity ?? 7) <= 4 ? "warn" : undefined, `${e.fac ?? ""} ${e.message ?? ""}`),
  );
  const connected = call((cb) => client.connect({ timeout: 20_000 }, cb));
  try {
    await Promise.race([connected, refused]);
  } catch (error) {
    connected.catch(() => undefined);
    if (client.isConnected()) client.disconnect(() => undefined);
    const code = (error as { code?: unknown }).code;
    const text = `${asError(error).message} ${typeof code === "number" ? code : ""}`;
    if (AUTH_FAILURE.some((p) => p.test(text))) {
      throw new KafkaAuthenticationError(connection.username, connection.bootstrapServers, error);
    }
    throw new KafkaConnectionError(what, connection.bootstrapServers, error);
  } finally {
    refuse = () => undefined;
    refused.catch(() => undefined);
  }
}

/** A librdkafka callback as a promise. */
export function call(start: (callback: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    start((error) => (error ? reject(asError(error)) : resolve())),
  );
}

/** Exponential backoff between handler attempts (the library retries requests, not handlers). */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxMs: number;
  /** Growth per attempt (2 doubles the ceiling each time). */
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, multiplier: 2 };

/**
 * The delay before retry number `attempt` (1-based): uniform between half the ceiling
 * `min(maxMs, initialMs * multiplier^(attempt-1))` and the ceiling ("equal jitter").
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}
