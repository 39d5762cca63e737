import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError, type ValidationIssue } from "../topics/validation-error.ts";

/** Where a service's Kafka connection comes from: docs/client.md, "Configuration". */
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

type Setting = { value?: string | undefined; file: string; path: string };

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
  const fail = (at: Setting, message: string, allowed?: string[]): Setting => {
    issues.push({ file: at.file, path: at.path, message, ...(allowed ? { allowed } : {}) });
    return at;
  };
  const variable = (name: string): string | undefined => env[name]?.trim() || undefined;
  const dir = variable(CONFIG_ENV.credentialsDir);
  if (dir !== undefined && !exists(dir)) {
    const path = CONFIG_ENV.credentialsDir;
    throw new ValidationError([{ file: dir, path, message: "directory does not exist" }]);
  }
  /** One value: the Secret's file when a directory is mounted, else the variable. */
  const setting = (key: keyof typeof SECRET_KEYS, path: string): Setting => {
    if (dir === undefined) {
      const value = variable(path);
      const allowed = [path, `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS[key]}`];
      return value
        ? { value, file: ENV_FILE, path }
        : fail({ file: ENV_FILE, path }, "is not set", allowed);
    }
    const at = { file: join(dir, SECRET_KEYS[key]), path: SECRET_KEYS[key] };
    if (!exists(at.file))
      return fail(at, "file does not exist (is the Secret kafka-<service> complete?)");
    const value = readFile(at.file).trim();
    return value ? { ...at, value } : fail(at, "file is empty");
  };

  const bootstrap = setting("bootstrap", CONFIG_ENV.bootstrap);
  const bootstrapServers = (bootstrap.value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of bootstrapServers) {
    if (!HOST_PORT.test(server))
      fail(bootstrap, `"${server}" is not host:port`, ["host:port[,host:port...]"]);
  }
  const username = setting("username", CONFIG_ENV.username);
  const password = setting("password", CONFIG_ENV.password);
  // The CA: the Secret's ca.crt, or locally the PEM text or a file path.
  const caFile = variable(CONFIG_ENV.caCertFile);
  const caAt = { file: caFile ?? ENV_FILE, path: CONFIG_ENV.caCertFile };
  const ca: Setting =
    dir !== undefined || variable(CONFIG_ENV.caCert) !== undefined
      ? setting("ca", CONFIG_ENV.caCert)
      : caFile === undefined
        ? fail({ file: ENV_FILE, path: CONFIG_ENV.caCert }, "no cluster CA: TLS needs it", [
            CONFIG_ENV.caCert,
            CONFIG_ENV.caCertFile,
            `${CONFIG_ENV.credentialsDir}/${SECRET_KEYS.ca}`,
          ])
        : exists(caFile)
          ? { ...caAt, value: readFile(caFile).trim() }
          : fail(caAt, "file does not exist");
  if (ca.value !== undefined && !ca.value.includes("-----BEGIN CERTIFICATE-----")) {
    fail(ca, "is not a PEM certificate (no BEGIN CERTIFICATE line)");
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    bootstrapServers,
    username: username.value ?? "",
    password: password.value ?? "",
    caPem: ca.value ?? "",
  };
}
