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
    if (isAuthenticationFailure(new Error(text))) refuse(text);
    if (level !== undefined) log?.(level, text);
  };
  client.on("event.error", (error) =>
    report("error", `${error.message} (code ${String(error.code)})`),
  );
  client.on("event.log", (event) => {
    report(
      (event.severity ?? 7) <= 4 ? "warn" : undefined,
      `${event.fac ?? ""} ${event.message ?? ""}`,
    );
  });
  const connected = call((cb) => client.connect({ timeout: 20_000 }, cb));
  try {
    await Promise.race([connected, refused]);
  } catch (error) {
    connected.catch(() => undefined);
    if (client.isConnected()) client.disconnect(() => undefined);
    if (isAuthenticationFailure(error)) {
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
