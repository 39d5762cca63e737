import type { RdKafka } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";
import {
  KafkaAuthenticationError,
  KafkaConnectionError,
  asError,
  isAuthenticationFailure,
} from "./errors.ts";

/** A log line from the library (librdkafka), for the service's logger. */
export type ClientLog = (level: "error" | "warn" | "info", message: string) => void;

/** How long connecting (reaching a bootstrap broker and reading metadata) may take. */
export const CONNECT_TIMEOUT_MS = 20_000;

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

/**
 * librdkafka reports a refused login as a log line and keeps retrying, so `connect()` alone
 * would only time out; the watch turns the first such line into a failure at once.
 */
export class AuthenticationWatch {
  private failure: string | undefined;
  private readonly listeners = new Set<(message: string) => void>();

  report(message: string): void {
    if (this.failure !== undefined || !isAuthenticationFailure(new Error(message))) return;
    this.failure = message;
    for (const listener of this.listeners) listener(message);
  }

  /** Rejects when a login is refused; never resolves. */
  failed(): { promise: Promise<never>; cancel: () => void } {
    let listener: (message: string) => void = () => undefined;
    const promise = new Promise<never>((_, reject) => {
      listener = (message) => reject(new Error(message));
      if (this.failure !== undefined) listener(this.failure);
      else this.listeners.add(listener);
    });
    return { promise, cancel: () => this.listeners.delete(listener) };
  }
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

/** Errors and warnings go to the service's log and to the authentication watch. */
export function watchEvents(
  client: LibraryClient,
  auth: AuthenticationWatch,
  log?: ClientLog,
): void {
  client.on("event.error", (error) => {
    const text = `${error.message} (code ${String(error.code)})`;
    auth.report(text);
    log?.("error", text);
  });
  client.on("event.log", (event: { severity?: number; fac?: string; message?: string }) => {
    const text = `${event.fac ?? ""} ${event.message ?? ""}`;
    auth.report(text);
    if ((event.severity ?? 7) <= 4) log?.("warn", text);
  });
}

/** Connects (metadata within 20 s), turning refused credentials into a clear error. */
export async function connectClearly(
  client: LibraryClient,
  auth: AuthenticationWatch,
  config: ConnectionConfig,
  what: string,
): Promise<void> {
  const refused = auth.failed();
  const connected = new Promise<void>((resolve, reject) => {
    client.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) =>
      error ? reject(asError(error)) : resolve(),
    );
  });
  try {
    await Promise.race([connected, refused.promise]);
  } catch (error) {
    connected.catch(() => undefined);
    if (client.isConnected()) client.disconnect(() => undefined);
    if (isAuthenticationFailure(error)) {
      throw new KafkaAuthenticationError(config.username, config.bootstrapServers, error);
    }
    throw new KafkaConnectionError(what, config.bootstrapServers, error);
  } finally {
    refused.cancel();
  }
}

/** Turns a librdkafka callback into a promise. */
export function call(start: (done: (error: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    start((error) => (error ? reject(asError(error)) : resolve())),
  );
}
