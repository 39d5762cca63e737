import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError, type ValidationIssue } from "../topics/validation-error.ts";

/**
 * Where a service's Kafka connection comes from. On Kubernetes: the Secret `kafka-<service>` in
 * the service's namespace, mounted as a directory (KAFKA_CREDENTIALS_DIR) with the keys
 * `bootstrap.servers`, `username`, `password` and `ca.crt`. Locally: the same values as
 * environment variables.
 */
export const CONFIG_ENV = {
  credentialsDir: "KAFKA_CREDENTIALS_DIR",
  bootstrap: "KAFKA_BOOTSTRAP_SERVERS",
  username: "KAFKA_USERNAME",
  password: "KAFKA_PASSWORD",
  caCert: "KAFKA_CA_CERT",
  caCertFile: "KAFKA_CA_CERT_FILE",
} as const;

/** The keys (files) of the mounted `kafka-<service>` Secret. */
export const SECRET_KEYS = {
  bootstrap: "bootstrap.servers",
  username: "username",
  password: "password",
  ca: "ca.crt",
} as const;

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
 * Reads the connection from the mounted Secret directory when KAFKA_CREDENTIALS_DIR is set,
 * else from the variables. Throws one ValidationError naming every missing or malformed value
 * (variable or file); secrets never appear in it.
 */
export function loadConnectionConfig(sources: ConfigSources = {}): ConnectionConfig {
  const env = sources.env ?? process.env;
  const readFile = sources.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const exists = sources.exists ?? existsSync;
  const issues: ValidationIssue[] = [];
  const issue = (file: string, path: string, message: string, allowed?: string[]): void => {
    issues.push({ file, path, message, ...(allowed ? { allowed } : {}) });
  };
  const variable = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  const dir = variable(CONFIG_ENV.credentialsDir);
  if (dir !== undefined && !exists(dir)) {
    throw new ValidationError([
      { file: dir, path: CONFIG_ENV.credentialsDir, message: "directory does not exist" },
    ]);
  }
  const fromDir = dir !== undefined;
  /** One value: the Secret's file when a directory is mounted, else the variable. */
  const setting = (key: keyof typeof SECRET_KEYS, envName: string): string | undefined => {
    if (!fromDir) {
      const value = variable(envName);
      if (value === undefined)
        issue(ENV_FILE, envName, "is not set", [
          envName,
          `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS[key]}`,
        ]);
      return value;
    }
    const path = join(dir, SECRET_KEYS[key]);
    if (!exists(path)) {
      issue(
        path,
        SECRET_KEYS[key],
        "file does not exist (is the Secret kafka-<service> complete?)",
      );
      return undefined;
    }
    const text = readFile(path).trim();
    if (text === "") issue(path, SECRET_KEYS[key], "file is empty");
    return text === "" ? undefined : text;
  };

  const bootstrapRaw = setting("bootstrap", CONFIG_ENV.bootstrap);
  const bootstrapServers = (bootstrapRaw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bootstrapOrigin = fromDir
    ? [join(dir, SECRET_KEYS.bootstrap), SECRET_KEYS.bootstrap]
    : [ENV_FILE, CONFIG_ENV.bootstrap];
  for (const server of bootstrapServers) {
    if (!HOST_PORT.test(server)) {
      issue(bootstrapOrigin[0] ?? "", bootstrapOrigin[1] ?? "", `"${server}" is not host:port`, [
        "host:port[,host:port...]",
      ]);
    }
  }
  const username = setting("username", CONFIG_ENV.username);
  const password = setting("password", CONFIG_ENV.password);

  // The CA: the Secret's ca.crt, or locally the PEM text or a file path.
  let caPem: string | undefined;
  let caOrigin: [string, string] = [ENV_FILE, CONFIG_ENV.caCert];
  const caFile = variable(CONFIG_ENV.caCertFile);
  if (fromDir) {
    caPem = setting("ca", CONFIG_ENV.caCert);
    caOrigin = [join(dir, SECRET_KEYS.ca), SECRET_KEYS.ca];
  } else if (variable(CONFIG_ENV.caCert) !== undefined) {
    caPem = variable(CONFIG_ENV.caCert);
  } else if (caFile !== undefined) {
    caOrigin = [caFile, CONFIG_ENV.caCertFile];
    if (!exists(caFile)) issue(caFile, CONFIG_ENV.caCertFile, "file does not exist");
    else caPem = readFile(caFile).trim();
  } else {
    issue(ENV_FILE, CONFIG_ENV.caCert, "no cluster CA: TLS needs it", [
      CONFIG_ENV.caCert,
      CONFIG_ENV.caCertFile,
      `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS.ca}`,
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
