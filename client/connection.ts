import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { ConnectionConfig } from "./config.ts";
import {
  KafkaAuthenticationError,
  KafkaConnectionError,
  isAuthenticationFailure,
} from "./errors.ts";

/** A log line from the underlying library (librdkafka), for the service's logger. */
export type ClientLog = (level: "error" | "warn" | "info", message: string) => void;

function logger(log: ClientLog | undefined): KafkaJS.Logger {
  const make = (): KafkaJS.Logger => ({
    error: (m) => log?.("error", m),
    warn: (m) => log?.("warn", m),
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
): KafkaJS.Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...config.bootstrapServers],
      clientId,
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: config.username, password: config.password },
      connectionTimeout: 10_000,
      authenticationTimeout: 10_000,
      logger: logger(log),
      logLevel: log === undefined ? KafkaJS.logLevel.NOTHING : KafkaJS.logLevel.WARN,
    },
    "ssl.ca.pem": config.caPem,
  });
}

/** Connects a producer/consumer/admin, turning refused credentials into a clear error. */
export async function connectClearly(
  client: { connect(): Promise<void> },
  config: ConnectionConfig,
  what: string,
): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    if (isAuthenticationFailure(error)) {
      throw new KafkaAuthenticationError(config.username, config.bootstrapServers, error);
    }
    throw new KafkaConnectionError(what, config.bootstrapServers, error);
  }
}
