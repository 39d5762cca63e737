import { fileURLToPath } from "node:url";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  acknowledgements as defaultAcknowledgements,
  type DestructiveChangeAcknowledgement,
} from "./acknowledgements.ts";
import {
  findDestructiveChanges,
  snapshotOf,
  type DestructiveChange,
  type TopicSnapshot,
} from "./destructive-changes.ts";
import type { ResolvedTopic } from "./types.ts";

/**
 * The catalog lock: per stack, the topics as last accepted (`topics/locks/<stack>.json`,
 * committed). It is what reviewers see change in a pull request, and the baseline against
 * which destructive changes are detected before anything is rendered or applied.
 */
export const LOCK_DIR = fileURLToPath(new URL("./locks/", import.meta.url));

export function lockPath(stack: string, dir: string = LOCK_DIR): string {
  return join(dir, `${stack}.json`);
}

export function readLock(stack: string, dir: string = LOCK_DIR): TopicSnapshot[] | undefined {
  const path = lockPath(stack, dir);
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, "utf8")) as { topics: TopicSnapshot[] }).topics;
}

export function lockContent(topics: readonly ResolvedTopic[]): string {
  const snapshots = topics.map(snapshotOf).sort((a, b) => a.name.localeCompare(b.name));
  return `${JSON.stringify({ topics: snapshots }, null, 2)}\n`;
}

export function writeLock(
  stack: string,
  topics: readonly ResolvedTopic[],
  dir: string = LOCK_DIR,
): void {
  writeFileSync(lockPath(stack, dir), lockContent(topics));
}

export interface LockCheck {
  /** Destructive changes with no acknowledgement: these block. */
  readonly unacknowledged: readonly DestructiveChange[];
  /** Destructive changes an acknowledgement covers. */
  readonly acknowledged: readonly DestructiveChange[];
  /** The lock differs from the declared topics (any change, destructive or not). */
  readonly stale: boolean;
}

function covers(
  ack: DestructiveChangeAcknowledgement,
  stack: string,
  change: DestructiveChange,
): boolean {
  return (
    (ack.stack === "*" || ack.stack === stack) &&
    ack.topic === change.topic &&
    ack.kind === change.kind &&
    ack.change === change.detail
  );
}

/** Compares a stack's declared topics with its lock; a stack without a lock has nothing to lose yet. */
export function checkAgainstLock(
  stack: string,
  topics: readonly ResolvedTopic[],
  options: { dir?: string; acknowledgements?: readonly DestructiveChangeAcknowledgement[] } = {},
): LockCheck {
  const dir = options.dir ?? LOCK_DIR;
  const acks = options.acknowledgements ?? defaultAcknowledgements;
  const locked = readLock(stack, dir);
  if (locked === undefined) return { unacknowledged: [], acknowledged: [], stale: true };
  const changes = findDestructiveChanges(locked, topics.map(snapshotOf));
  const acknowledged = changes.filter((c) => acks.some((a) => covers(a, stack, c)));
  const unacknowledged = changes.filter((c) => !acknowledged.includes(c));
  const stale = readFileSync(lockPath(stack, dir), "utf8") !== lockContent(topics);
  return { unacknowledged, acknowledged, stale };
}

export function formatDestructiveChange(stack: string, c: DestructiveChange): string {
  return `${stack}: ${c.topic}: ${c.kind} (${c.detail}) — acknowledge it in topics/acknowledgements.ts with { stack: "${stack}", topic: "${c.topic}", kind: "${c.kind}", change: "${c.detail}", reason, approvedBy }`;
}
