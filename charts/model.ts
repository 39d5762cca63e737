import { deriveAllAccess } from "../acl/derive.ts";
import type { ServiceAccess } from "../acl/types.ts";
import type { LoadedStack } from "../infra/config/load.ts";
import type { StackConfig } from "../infra/config/schema.ts";
import { resolveTopics } from "../topics/resolve.ts";
import type { ResolvedTopic } from "../topics/types.ts";

/**
 * Everything a stack declares, resolved: its validated config, the concrete topics and every
 * service's access. The charts, the Pulumi program and the local tools all start from this,
 * so the catalog is the single source of truth for topics, users and ACLs.
 */
export interface PlatformModel {
  readonly stack: string;
  /** The stack file the config came from, for error messages. */
  readonly file: string;
  readonly config: StackConfig;
  readonly topics: readonly ResolvedTopic[];
  readonly access: readonly ServiceAccess[];
}

export function buildPlatformModel(
  loaded: Pick<LoadedStack, "stack" | "file" | "config">,
): PlatformModel {
  return {
    stack: loaded.stack,
    file: loaded.file,
    config: loaded.config,
    topics: resolveTopics({
      environment: loaded.config.environment,
      tenants: loaded.config.tenants,
    }),
    access: deriveAllAccess(),
  };
}
