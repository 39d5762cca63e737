import { AuthenticationError } from "@platformatic/kafka";
import type { ConnectionConfig } from "./config.ts";
import type { AuthenticationWatch } from "./connection.ts";
import { asError } from "./errors.ts";

/** What the module's @platformatic/kafka producer and consumer share: login and connecting. */

/** Java's request.timeout.ms default: how long one request may wait for its answer. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long `connect()` keeps trying to reach a bootstrap broker, as librdkafka's connect. */
export const CONNECT_TIMEOUT_MS = 20_000;

/** Bootstrap brokers and SASL_SSL with SCRAM-SHA-512 against the cluster CA. */
export function platformaticLogin(connection: ConnectionConfig, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: [...connection.bootstrapServers],
    tls: { ca: connection.caPem },
    sasl: {
      mechanism: "SCRAM-SHA-512" as const,
      username: connection.username,
      password: connection.password,
    },
    connectTimeout: CONNECT_TIMEOUT_MS,
    timeout: REQUEST_TIMEOUT_MS,
  };
}

interface MetadataClient {
  metadata(options: { topics: string[]; retries?: number }): Promise<unknown>;
}

/**
 * Logs in to a bootstrap broker and fetches the cluster's metadata, trying again for up to
 * 20 s while no broker can be reached. A refused login fails at once (the library would retry
 * it like a lost connection) and is reported to `auth`.
 */
export async function connectPlatformatic(
  client: MetadataClient,
  auth: AuthenticationWatch,
  pause: () => Promise<void>,
  pauseMs: number,
): Promise<void> {
  const giveUpAt = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    try {
      await client.metadata({ topics: [], retries: 0 });
      return;
    } catch (error) {
      if (inChain(error, (e) => e instanceof AuthenticationError)) {
        auth.report(`SASL authentication failed: ${asError(error).message}`);
        throw error;
      }
      if (Date.now() + pauseMs >= giveUpAt) throw error;
      await pause();
    }
  }
}

/** True when `test` holds for the error or any error it wraps (causes and aggregated errors). */
export function inChain(error: unknown, test: (e: unknown) => boolean): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (e === undefined || e === null || seen.has(e)) return false;
    seen.add(e);
    if (test(e)) return true;
    if (e instanceof AggregateError && e.errors.some(visit)) return true;
    return visit((e as { cause?: unknown }).cause);
  };
  return visit(error);
}
