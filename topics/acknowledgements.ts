import type { DestructiveChangeKind } from "./destructive-changes.ts";

/**
 * Explicit acknowledgements of destructive topic changes. A change that can lose data
 * (see ./destructive-changes.ts) against a stack's catalog lock is refused by the render
 * command, `npm run catalog:lock` and the Pulumi program until an entry here names the stack,
 * the topic, the kind of change and the change itself, with the reason and who approved it. (Against a live local
 * cluster, `npm run local -- apply` compares with what the brokers hold and asks for its own
 * `--allow-destructive` flag.) Remove entries once the change is applied everywhere and the
 * locks are updated.
 */
export interface DestructiveChangeAcknowledgement {
  /**
   * Stack the change is acknowledged for, or "*" for every stack where the change reads the
   * same (`change` must match too, and values often differ between stacks).
   */
  readonly stack: string;
  readonly topic: string;
  readonly kind: DestructiveChangeKind;
  /**
   * The change exactly as the refusal prints it, e.g. `retention.ms 2592000000 → 604800000`.
   * An acknowledgement covers that change and no other: a later, deeper cut of the same topic
   * needs its own.
   */
  readonly change: string;
  readonly reason: string;
  readonly approvedBy: string;
}

/** Why the high-volume topics got a size cap (issue 14: disks sized from the catalog). */
const SIZE_CAP_REASON =
  "New retention.bytes per partition for a high-volume topic, ~1.5x what its retention time keeps at the planned ingest (npm run capacity): below the plan nothing is deleted early; a burst beyond it cuts this topic's oldest messages instead of filling every broker's disk.";

export const acknowledgements: readonly DestructiveChangeAcknowledgement[] = [
  {
    stack: "*",
    topic: "chat.messages.acme",
    kind: "retention-cut",
    change: "retention.bytes default → 6442450944",
    reason: SIZE_CAP_REASON,
    approvedBy: "issue 14 (production readiness), reviewed with the platform lead",
  },
  {
    stack: "*",
    topic: "chat.messages.globex",
    kind: "retention-cut",
    change: "retention.bytes default → 6442450944",
    reason: SIZE_CAP_REASON,
    approvedBy: "issue 14 (production readiness), reviewed with the platform lead",
  },
  {
    stack: "*",
    topic: "chat.messages.initech",
    kind: "retention-cut",
    change: "retention.bytes default → 6442450944",
    reason: SIZE_CAP_REASON,
    approvedBy: "issue 14 (production readiness), reviewed with the platform lead",
  },
  {
    stack: "*",
    topic: "chat.messages.umbrella",
    kind: "retention-cut",
    change: "retention.bytes default → 6442450944",
    reason: SIZE_CAP_REASON,
    approvedBy: "issue 14 (production readiness), reviewed with the platform lead",
  },
  {
    stack: "*",
    topic: "analytics.events",
    kind: "retention-cut",
    change: "retention.bytes default → 34359738368",
    reason: SIZE_CAP_REASON,
    approvedBy: "issue 14 (production readiness), reviewed with the platform lead",
  },
];
