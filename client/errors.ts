/** Errors the client raises with a message a service operator can act on. */
export class KafkaAuthenticationError extends Error {
  constructor(username: string, bootstrap: readonly string[], cause: unknown) {
    super(
      `Kafka rejected the SASL/SCRAM-SHA-512 login of user "${username}" at ${bootstrap.join(",")}: ` +
        "the password is wrong or the user does not exist. Check the KafkaUser Secret mounted " +
        "for this service (kafka-<service>: keys username, password) or KAFKA_PASSWORD.",
      { cause },
    );
    this.name = "KafkaAuthenticationError";
  }
}

export class KafkaConnectionError extends Error {
  constructor(what: string, bootstrap: readonly string[], cause: unknown) {
    super(`${what}: cannot connect to Kafka at ${bootstrap.join(",")}: ${asError(cause).message}`, {
      cause,
    });
    this.name = "KafkaConnectionError";
  }
}

const AUTH_PATTERNS = [/authentication/i, /SASL/, /SCRAM/i, /-169\b/];

/** True when a library error means the credentials were refused. */
export function isAuthenticationFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  const text = `${error.name} ${error.message} ${typeof code === "number" || typeof code === "string" ? code : ""}`;
  return AUTH_PATTERNS.some((p) => p.test(text));
}

/** The error itself, or an Error carrying its message (librdkafka calls back with plain objects). */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const message = (error as { message?: unknown } | null)?.message;
  return new Error(typeof message === "string" ? message : String(error));
}
