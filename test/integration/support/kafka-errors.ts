/** Kafka protocol error codes the tests assert on (Kafka's `Errors` enum). */
export const KafkaErrorCodes = {
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SASL_AUTHENTICATION_FAILED: 58,
} as const;

/** Every Kafka error code carried by an error or the errors it wraps (@platformatic/kafka nests them). */
export function kafkaErrorCodes(error: unknown): number[] {
  const codes = new Set<number>();
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== "object" || e === null) return;
    const err = e as { apiCode?: unknown; errors?: unknown; cause?: unknown };
    if (typeof err.apiCode === "number") codes.add(err.apiCode);
    if (Array.isArray(err.errors)) err.errors.forEach((inner) => visit(inner, depth + 1));
    visit(err.cause, depth + 1);
  };
  visit(error, 0);
  return [...codes].sort((a, b) => a - b);
}

/** All messages of an error chain, for readable assertion failures. */
export function errorChain(error: unknown): string {
  const out: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== "object" || e === null) return;
    const err = e as {
      message?: unknown;
      serverErrorMessage?: unknown;
      errors?: unknown;
      cause?: unknown;
    };
    if (typeof err.message === "string") out.push(err.message);
    if (typeof err.serverErrorMessage === "string") out.push(err.serverErrorMessage);
    if (Array.isArray(err.errors)) err.errors.forEach((inner) => visit(inner, depth + 1));
    visit(err.cause, depth + 1);
  };
  visit(error, 0);
  return [...new Set(out)].join(" <- ");
}

/** Resolves with the error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the operation to be refused, but it succeeded");
}
