import { pbkdf2Sync, randomBytes } from "node:crypto";
import {
  Connection,
  alterUserScramCredentialsV0,
  describeUserScramCredentialsV0,
} from "@platformatic/kafka";
import type { ScramCredential } from "../credentials.ts";
import { platformaticOptions } from "../kafka-client-options.ts";

/** SCRAM-SHA-512 in Kafka's AlterUserScramCredentials (ScramMechanism enum). */
const SCRAM_SHA_512 = 2;
/** Kafka's minimum (and Strimzi's) iteration count for SCRAM-SHA-512. */
export const SCRAM_ITERATIONS = 4096;

export interface AdminTarget {
  readonly bootstrapServers: readonly string[];
  readonly caPemPath: string;
  readonly admin: ScramCredential;
}

/**
 * SCRAM credentials through the low-level API (@platformatic/kafka's Admin has no SCRAM
 * method): one authenticated connection to a broker, which forwards to the controller.
 */
async function withConnection<T>(
  target: AdminTarget,
  fn: (c: Connection) => Promise<T>,
): Promise<T> {
  const opts = platformaticOptions(target.bootstrapServers, target.caPemPath, target.admin);
  let lastError: unknown;
  for (const server of target.bootstrapServers) {
    const [host, port] = server.split(":");
    const connection = new Connection("kafka-platform-apply", {
      tls: opts.tls,
      sasl: opts.sasl,
      connectTimeout: 5000,
      requestTimeout: 15000,
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
  throw lastError instanceof Error ? lastError : new Error("no broker reachable");
}

/** Users that have a SCRAM credential. */
export function listScramUsers(target: AdminTarget): Promise<string[]> {
  return withConnection(target, async (c) => {
    const response = await describeUserScramCredentialsV0.api.async(c, null);
    if (response.errorCode !== 0) {
      throw new Error(
        `DescribeUserScramCredentials failed: ${response.errorMessage ?? response.errorCode}`,
      );
    }
    return response.results
      .filter((r) => r.errorCode === 0 && r.credentialInfos.length > 0)
      .map((r) => r.user)
      .sort();
  });
}

/** Creates or replaces SCRAM-SHA-512 credentials, and deletes `remove`. */
export function alterScramUsers(
  target: AdminTarget,
  upsert: readonly ScramCredential[],
  remove: readonly string[] = [],
): Promise<void> {
  return withConnection(target, async (c) => {
    const upsertions = upsert.map((u) => {
      const salt = randomBytes(32);
      return {
        name: u.username,
        mechanism: SCRAM_SHA_512,
        iterations: SCRAM_ITERATIONS,
        salt,
        saltedPassword: pbkdf2Sync(u.password, salt, SCRAM_ITERATIONS, 64, "sha512"),
      };
    });
    const deletions = remove.map((name) => ({ name, mechanism: SCRAM_SHA_512 }));
    const response = await alterUserScramCredentialsV0.api.async(c, deletions, upsertions);
    const failed = response.results.filter((r) => r.errorCode !== 0);
    if (failed.length > 0) {
      throw new Error(
        `AlterUserScramCredentials failed: ${failed.map((r) => `${r.user}: ${r.errorMessage ?? r.errorCode}`).join("; ")}`,
      );
    }
  });
}
