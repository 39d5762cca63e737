import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, parseStackConfig, stackFileName, type SecretKey } from "./config/load.ts";
import { PROJECT, type StackConfig } from "./config/schema.ts";
import { ValidationError } from "../topics/validation-error.ts";

/**
 * Whether Pulumi holds `key` as a secret. `isConfigSecret` is internal to @pulumi/pulumi's
 * runtime (it reads PULUMI_CONFIG_SECRET_KEYS, which the CLI and setAllConfig both set).
 */
function isConfigSecret(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret?.(key) ?? false;
}

/** What the program runs from: the validated stack config plus the secret config values. */
export interface StackSettings {
  readonly stack: string;
  /** `Pulumi.<stack>.yaml`: named in every config error. */
  readonly file: string;
  readonly config: StackConfig;
  readonly secrets: Readonly<Partial<Record<SecretKey, pulumi.Output<string>>>>;
}

/**
 * Pulumi hands every config value to the program as a string: plain strings as written,
 * booleans and numbers as their text, structured values as JSON. Decode to what the YAML held.
 */
export function decodeConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Splits the raw `<project>:<key>` config map into schema values and secret keys. Every key of
 * the project except the secrets goes to the schema, so an unknown or misspelt key is reported
 * exactly as the render command reports it (there is no second schema here).
 */
export function splitProjectConfig(all: Readonly<Record<string, string>>): {
  values: Record<string, unknown>;
  secretKeysSet: SecretKey[];
} {
  const values: Record<string, unknown> = {};
  const secretKeysSet: SecretKey[] = [];
  for (const [fullKey, raw] of Object.entries(all)) {
    const prefix = `${PROJECT}:`;
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      secretKeysSet.push(key as SecretKey);
      continue;
    }
    values[key] = decodeConfigValue(raw);
  }
  return { values, secretKeysSet: secretKeysSet.sort() };
}

/**
 * Reads the running stack's config through Pulumi and validates it with the same schema the
 * render command uses. Throws a ValidationError naming `Pulumi.<stack>.yaml`, the field and
 * the allowed values before any resource is registered.
 */
export function readStackSettings(): StackSettings {
  const stack = pulumi.getStack();
  const file = stackFileName(stack);
  const { values, secretKeysSet } = splitProjectConfig(pulumi.runtime.allConfig());
  const config = parseStackConfig(values, file);
  const bag = new pulumi.Config(PROJECT);
  const secrets: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
  const plain = secretKeysSet.filter((key) => !isConfigSecret(`${PROJECT}:${key}`));
  if (plain.length > 0) {
    throw new ValidationError(
      plain.map((key) => ({
        file,
        path: `config.${PROJECT}:${key}`,
        message: "must be a Pulumi secret (pulumi config set --secret), not a plain value",
      })),
    );
  }
  for (const key of secretKeysSet) {
    const value = bag.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }
  if (
    config.topicManagement === "kafka-provider" &&
    secrets.kafkaProviderAdminPassword === undefined
  ) {
    throw new ValidationError([
      {
        file,
        path: `config.${PROJECT}:kafkaProviderAdminPassword`,
        message:
          "is required when topicManagement is kafka-provider: set it with `pulumi config set --secret kafkaProviderAdminPassword`",
      },
    ]);
  }
  return { stack, file, config, secrets };
}
