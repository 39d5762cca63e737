import type { ConnectionConfig } from "./config.ts";
import type { AuthenticationWatch, ClientLog } from "./connection.ts";

/** What librdkafka's own producer and consumer share: login settings, events, connecting. */

/** Bootstrap servers and SASL_SSL with SCRAM-SHA-512 against the cluster CA. */
export function nativeLoginConfig(connection: ConnectionConfig, clientId: string) {
  return {
    "bootstrap.servers": connection.bootstrapServers.join(","),
    "client.id": clientId,
    "security.protocol": "sasl_ssl" as const,
    "sasl.mechanisms": "SCRAM-SHA-512",
    "sasl.username": connection.username,
    "sasl.password": connection.password,
    "ssl.ca.pem": connection.caPem,
    "socket.connection.setup.timeout.ms": 20_000,
  };
}

export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const message = (error as { message?: unknown } | null)?.message;
  return new Error(typeof message === "string" ? message : String(error));
}

interface NativeClient {
  on(event: "event.error", listener: (error: { message: string; code: unknown }) => void): unknown;
  on(
    event: "event.log",
    listener: (event: { severity?: number; fac?: string; message?: string }) => void,
  ): unknown;
  connect(options: { timeout: number }, callback: (error: unknown) => void): unknown;
}

/**
 * Reports errors and warnings to the service's log and to the authentication watch. A refused
 * login shows first as a log line from librdkafka's broker thread: error events are only
 * delivered by polling, which starts once connected.
 */
export function watchNativeEvents(
  client: NativeClient,
  auth: AuthenticationWatch,
  log?: ClientLog,
): void {
  client.on("event.error", (error) => {
    const text = `${error.message} (code ${String(error.code)})`;
    auth.report(text);
    log?.("error", text);
  });
  client.on("event.log", (event) => {
    const text = `${event.fac ?? ""} ${event.message ?? ""}`;
    auth.report(text);
    if ((event.severity ?? 7) <= 4) log?.("warn", text);
  });
}

/** Connects and fetches metadata (up to 20 s). */
export function connectNative(client: NativeClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.connect({ timeout: 20_000 }, (error) => (error ? reject(asError(error)) : resolve()));
  });
}
