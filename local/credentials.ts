import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PLATFORM_ADMIN_USER } from "../acl/services.ts";

export interface ScramCredential {
  readonly username: string;
  readonly password: string;
}

/** Contents of the instance's 0600 credentials file. Passwords are never printed. */
export interface CredentialStore {
  readonly admin: ScramCredential;
  /** Service user name → password, for the users `apply` created. */
  readonly services: Readonly<Record<string, string>>;
}

export function credentialsFile(dir: string): string {
  return join(dir, "credentials.json");
}

export function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

function write(file: string, store: CredentialStore): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readCredentials(dir: string): CredentialStore | undefined {
  const file = credentialsFile(dir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as CredentialStore;
}

/**
 * The instance's credentials, creating the bootstrap admin (`adminUsername`, by default the
 * platform's own super user) with a password on first use.
 */
export function ensureCredentials(
  dir: string,
  adminUsername: string = PLATFORM_ADMIN_USER,
): CredentialStore {
  const existing = readCredentials(dir);
  if (existing !== undefined) return existing;
  const store: CredentialStore = {
    admin: { username: adminUsername, password: generatePassword() },
    services: {},
  };
  write(credentialsFile(dir), store);
  return store;
}

export function saveServicePasswords(
  dir: string,
  services: Readonly<Record<string, string>>,
): void {
  const current = ensureCredentials(dir);
  write(credentialsFile(dir), { admin: current.admin, services });
}
