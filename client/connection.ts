import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";
import {
  KafkaAuthenticationError,
  KafkaConnectionError,
  isAuthenticationFailure,
} from "./errors.ts";

/** A log line from the underlying library (librdkafka), for the service's logger. */
export type ClientLog = (level: "error" | "warn" | "info", message: string) => void;

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

export interface LibraryClient {
  readonly kafka: KafkaJS.Kafka;
  readonly auth: AuthenticationWatch;
}

function logger(log: ClientLog | undefined, auth: AuthenticationWatch): KafkaJS.Logger {
  const make = (): KafkaJS.Logger => ({
    error: (m, extra) => {
      auth.report(`${m} ${extra === undefined ? "" : JSON.stringify(extra)}`);
      log?.("error", m);
    },
    warn: (m, extra) => {
      auth.report(`${m} ${extra === undefined ? "" : JSON.stringify(extra)}`);
      log?.("warn", m);
    },
    info: (m) => log?.("info", m),
    debug: () => undefined,
    namespace: () => make(),
    setLogLevel: () => undefined,
  });
  return make();
}

/** The library entry point for one service: SASL_SSL with SCRAM-SHA-512 and the cluster CA. */
export function createKafka(
  config: ConnectionConfig,
  clientId: string,
  log?: ClientLog,
): LibraryClient {
  const auth = new AuthenticationWatch();
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...config.bootstrapServers],
      clientId,
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: config.username, password: config.password },
      connectionTimeout: 10_000,
      authenticationTimeout: 10_000,
      logger: logger(log, auth),
      logLevel: KafkaJS.logLevel.WARN,
    },
    "ssl.ca.pem": config.caPem,
  });
  return { kafka, auth };
}

/** Connects a producer/consumer/admin, turning refused credentials into a clear error. */
export async function connectClearly(
  client: { connect(): Promise<void>; disconnect(): Promise<void> },
  auth: AuthenticationWatch,
  config: ConnectionConfig,
  what: string,
): Promise<void> {
  const refused = auth.failed();
  try {
    await Promise.race([client.connect(), refused.promise]);
  } catch (error) {
    await client.disconnect().catch(() => undefined);
    if (isAuthenticationFailure(error)) {
      throw new KafkaAuthenticationError(config.username, config.bootstrapServers, error);
    }
    throw new KafkaConnectionError(what, config.bootstrapServers, error);
  } finally {
    refused.cancel();
  }
}
