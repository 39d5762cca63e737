import type { DestructiveChangeKind } from "./destructive-changes.ts";

/**
 * Explicit acknowledgements of destructive topic changes. A change that can lose data
 * (see ./destructive-changes.ts) is refused by the render command, the catalog-lock check and
 * `npm run local -- apply` until an entry here names the stack, the topic and the kind of
 * change, with the reason and who approved it. Entries are removed once the change has been
 * applied everywhere and the locks are updated.
 */
export interface DestructiveChangeAcknowledgement {
  /** Stack the change is acknowledged for, or "*" for every stack. */
  readonly stack: string;
  readonly topic: string;
  readonly kind: DestructiveChangeKind;
  readonly reason: string;
  readonly approvedBy: string;
}

export const acknowledgements: readonly DestructiveChangeAcknowledgement[] = [];
