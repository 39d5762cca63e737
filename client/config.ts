import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError, type ValidationIssue } from "../topics/validation-error.ts";
import { parseScramJaasConfig } from "./jaas.ts";

/**
 * Where a service's Kafka connection comes from. On Kubernetes, mount the KafkaUser's Secret
 * (keys `password`, `sasl.jaas.config`) and the cluster CA Secret (`<cluster>-cluster-ca-cert`,
 * key `ca.crt`) as directories; locally, set the same values as environment variables.
 */
export const CONFIG_ENV = {
  bootstrap: "KAFKA_BOOTSTRAP_SERVERS",
  username: "KAFKA_USERNAME",
  password: "KAFKA_PASSWORD",
  jaasConfig: "KAFKA_SASL_JAAS_CONFIG",
  credentialsDir: "KAFKA_CREDENTIALS_DIR",
  caCert: "KAFKA_CA_CERT",
  caCertFile: "KAFKA_CA_CERT_FILE",
  caDir: "KAFKA_CA_DIR",
} as const;

export const SECRET_KEYS = { password: "password", jaasConfig: "sasl.jaas.config" } as const;
export const CA_SECRET_KEY = "ca.crt";

/** Everything needed to open a SASL_SSL / SCRAM-SHA-512 connection. */
export interface ConnectionConfig {
  readonly bootstrapServers: readonly string[];
  readonly username: string;
  readonly password: string;
  /** PEM of the cluster CA the broker certificates are signed by. */
  readonly caPem: string;
}

export interface ConfigSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
  readonly exists?: (path: string) => boolean;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
const ENV_FILE = "environment";

/**
 * Reads the connection from env and mounted files. Throws one ValidationError naming every
 * missing or malformed value (variable or file, and what is allowed); secrets never appear in it.
 */
export function loadConnectionConfig(sources: ConfigSources = {}): ConnectionConfig {
  const env = sources.env ?? process.env;
  const readFile = sources.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const exists = sources.exists ?? existsSync;
  const issues: ValidationIssue[] = [];
  const issue = (file: string, path: string, message: string, allowed?: string[]): void => {
    issues.push({ file, path, message, ...(allowed ? { allowed } : {}) });
  };
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const fileValue = (path: string, label: string): string | undefined => {
    if (!exists(path)) return undefined;
    const text = readFile(path).trim();
    if (text === "") issue(path, label, "file is empty");
    return text === "" ? undefined : text;
  };

  const bootstrapRaw = value(CONFIG_ENV.bootstrap);
  const bootstrapServers = (bootstrapRaw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (bootstrapRaw === undefined) {
    issue(ENV_FILE, CONFIG_ENV.bootstrap, "is not set", ["host:port[,host:port...]"]);
  }
  for (const server of bootstrapServers) {
    if (!HOST_PORT.test(server)) {
      issue(ENV_FILE, CONFIG_ENV.bootstrap, `"${server}" is not host:port`, ["host:port"]);
    }
  }

  // Credentials: a mounted Secret directory, or the same values as variables.
  const dir = value(CONFIG_ENV.credentialsDir);
  let password = value(CONFIG_ENV.password);
  let jaas = value(CONFIG_ENV.jaasConfig);
  let jaasOrigin = `${ENV_FILE}: ${CONFIG_ENV.jaasConfig}`;
  if (dir !== undefined) {
    if (!exists(dir)) issue(dir, CONFIG_ENV.credentialsDir, "directory does not exist");
    else {
      password ??= fileValue(join(dir, SECRET_KEYS.password), SECRET_KEYS.password);
      const fromFile = fileValue(join(dir, SECRET_KEYS.jaasConfig), SECRET_KEYS.jaasConfig);
      if (jaas === undefined && fromFile !== undefined) {
        jaas = fromFile;
        jaasOrigin = join(dir, SECRET_KEYS.jaasConfig);
      }
    }
  }
  let username = value(CONFIG_ENV.username);
  if (jaas !== undefined) {
    const parsed = parseScramJaasConfig(jaas);
    if ("problem" in parsed) {
      const [file, path] = jaasOrigin.startsWith(`${ENV_FILE}: `)
        ? [ENV_FILE, CONFIG_ENV.jaasConfig]
        : [jaasOrigin, SECRET_KEYS.jaasConfig];
      issue(file, path, parsed.problem);
    } else {
      if (username !== undefined && username !== parsed.username) {
        issue(
          ENV_FILE,
          CONFIG_ENV.username,
          `"${username}" differs from the user in sasl.jaas.config ("${parsed.username}")`,
        );
      }
      if (password !== undefined && password !== parsed.password) {
        issue(ENV_FILE, CONFIG_ENV.password, "differs from the password in sasl.jaas.config");
      }
      username ??= parsed.username;
      password ??= parsed.password;
    }
  }
  if (username === undefined) {
    issue(ENV_FILE, CONFIG_ENV.username, "no user name: set it, or provide sasl.jaas.config", [
      CONFIG_ENV.username,
      CONFIG_ENV.jaasConfig,
      `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS.jaasConfig}`,
    ]);
  }
  if (password === undefined) {
    issue(ENV_FILE, CONFIG_ENV.password, "no password: set it, or mount the KafkaUser Secret", [
      CONFIG_ENV.password,
      CONFIG_ENV.jaasConfig,
      `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS.password}`,
    ]);
  }

  // Cluster CA: inline PEM, a file, or the mounted CA Secret directory.
  let caPem = value(CONFIG_ENV.caCert);
  let caOrigin: [string, string] = [ENV_FILE, CONFIG_ENV.caCert];
  const caFile =
    value(CONFIG_ENV.caCertFile) ??
    (value(CONFIG_ENV.caDir) !== undefined
      ? join(value(CONFIG_ENV.caDir) ?? "", CA_SECRET_KEY)
      : undefined);
  if (caPem === undefined && caFile !== undefined) {
    if (!exists(caFile)) issue(caFile, CA_SECRET_KEY, "file does not exist");
    else {
      caPem = fileValue(caFile, CA_SECRET_KEY);
      caOrigin = [caFile, CA_SECRET_KEY];
    }
  } else if (caPem === undefined) {
    issue(ENV_FILE, CONFIG_ENV.caCert, "no cluster CA: TLS needs it", [
      CONFIG_ENV.caCert,
      CONFIG_ENV.caCertFile,
      `${CONFIG_ENV.caDir}/${CA_SECRET_KEY}`,
    ]);
  }
  if (caPem !== undefined && !caPem.includes("-----BEGIN CERTIFICATE-----")) {
    issue(caOrigin[0], caOrigin[1], "is not a PEM certificate (no BEGIN CERTIFICATE line)");
  }

  if (issues.length > 0) throw new ValidationError(issues);
  return {
    bootstrapServers,
    username: username ?? "",
    password: password ?? "",
    caPem: caPem ?? "",
  };
}
