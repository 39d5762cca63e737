import { pbkdf2Sync, randomBytes } from "node:crypto";
import {
  type Connection,
  alterUserScramCredentialsV0,
  describeUserScramCredentialsV0,
} from "@platformatic/kafka";
import { authenticatesOn, onAnyBroker, type BrokerTarget } from "../broker-connection.ts";
import type { ScramCredential } from "../credentials.ts";

/** SCRAM-SHA-512 in Kafka's AlterUserScramCredentials (ScramMechanism enum). */
const SCRAM_SHA_512 = 2;
/** Kafka's minimum (and Strimzi's) iteration count for SCRAM-SHA-512. */
export const SCRAM_ITERATIONS = 4096;

export type AdminTarget = BrokerTarget;

/**
 * SCRAM credentials go through the low-level API (@platformatic/kafka's Admin has no SCRAM
 * method): one authenticated connection to a broker, which forwards to the controller.
 */
function withConnection<T>(target: AdminTarget, fn: (c: Connection) => Promise<T>): Promise<T> {
  return onAnyBroker(
    target,
    { clientId: "kafka-platform-apply", connectTimeoutMs: 5000, requestTimeoutMs: 15000 },
    fn,
  );
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

/**
 * Creates or replaces SCRAM-SHA-512 credentials, and deletes `remove`. Returns once every
 * broker of `target` authenticates the upserted credentials (see `awaitCredentialOnEveryBroker`).
 */
export async function alterScramUsers(
  target: AdminTarget,
  upsert: readonly ScramCredential[],
  remove: readonly string[] = [],
  options: { readonly propagationTimeoutMs?: number } = {},
): Promise<void> {
  await withConnection(target, async (c) => {
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
  const last = upsert.at(-1);
  if (last !== undefined) {
    await awaitCredentialOnEveryBroker(target, last, options.propagationTimeoutMs ?? 60_000);
  }
}

/**
 * Waits until every broker of `target` (each of its bootstrap servers: the local clusters list
 * every node) authenticates `credential`. AlterUserScramCredentials answers once the
 * controllers have committed the change; each broker applies it from the metadata log on its
 * own, and under load one lagged by seconds behind the others: MirrorMaker 2, started right
 * after its user was created, was refused by that broker and stopped. The metadata log applies
 * in order, so the last credential of one request stands for all of them.
 */
export async function awaitCredentialOnEveryBroker(
  target: AdminTarget,
  credential: ScramCredential,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const server of target.bootstrapServers) {
    for (;;) {
      const refused = await authenticatesOn(server, target.caPemPath, credential, {
        clientId: "kafka-platform-apply",
        connectTimeoutMs: 2000,
        requestTimeoutMs: 5000,
      });
      if (refused === undefined) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the SCRAM credential of "${credential.username}" is not accepted by ${server} ${timeoutMs / 1000}s after it was created: ${refused}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Returns once every broker of `target` has applied every metadata change committed before the
 * call (ACLs, topics, configs), by setting a throwaway SCRAM credential, waiting until each
 * broker authenticates it (brokers apply the metadata log in order) and deleting it. A DENY
 * binding a test had just created did not yet hold on every broker, so a write it was meant to
 * refuse went through.
 */
export async function awaitMetadataOnEveryBroker(
  target: AdminTarget,
  timeoutMs = 60_000,
): Promise<void> {
  const barrier = {
    username: `kp-metadata-barrier-${randomBytes(6).toString("hex")}`,
    password: randomBytes(24).toString("base64url"),
  };
  await alterScramUsers(target, [barrier], [], { propagationTimeoutMs: timeoutMs });
  await alterScramUsers(target, [], [barrier.username]);
}
