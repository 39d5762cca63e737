/** Parses the `sasl.jaas.config` value Strimzi puts in a KafkaUser's Secret. */
export interface JaasCredentials {
  readonly username: string;
  readonly password: string;
}

const SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

/** Returns the credentials, or a reason the value is not a SCRAM login module line. */
export function parseScramJaasConfig(value: string): JaasCredentials | { problem: string } {
  const text = value.trim();
  if (!text.startsWith(SCRAM_MODULE)) return { problem: `must start with ${SCRAM_MODULE}` };
  const rest = text.slice(SCRAM_MODULE.length).trim();
  if (!/^required\b/.test(rest)) return { problem: 'must have the "required" flag' };
  const options = new Map<string, string>();
  const option = /([A-Za-z_.]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
  for (const match of rest.matchAll(option)) {
    options.set(match[1] ?? "", (match[2] ?? "").replace(/\\(.)/g, "$1"));
  }
  const username = options.get("username");
  const password = options.get("password");
  if (username === undefined || username === "") return { problem: "has no username option" };
  if (password === undefined || password === "") return { problem: "has no password option" };
  return { username, password };
}
