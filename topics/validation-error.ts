/**
 * One validation problem: which file, which field (a JSON-path-like string such as
 * `cluster.brokers.replicas` or `services[3].consumes[0]`), what is wrong, and what is allowed.
 */
export interface ValidationIssue {
  readonly file: string;
  readonly path: string;
  readonly message: string;
  readonly allowed?: readonly string[];
}

export function formatIssue(issue: ValidationIssue): string {
  const allowed =
    issue.allowed && issue.allowed.length > 0 ? ` (allowed: ${issue.allowed.join(", ")})` : "";
  return `${issue.file}: ${issue.path || "(root)"}: ${issue.message}${allowed}`;
}

/** Thrown with every issue found at once, before anything is rendered or applied. */
export class ValidationError extends Error {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const lines = issues.map((i) => `  - ${formatIssue(i)}`).join("\n");
    super(`${issues.length} validation error${issues.length === 1 ? "" : "s"}:\n${lines}`);
    this.name = "ValidationError";
    this.issues = issues;
  }
}
