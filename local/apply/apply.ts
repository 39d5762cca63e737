import { Admin } from "@platformatic/kafka";
import { buildPlatformModel, type PlatformModel } from "../../charts/model.ts";
import { loadStack } from "../../infra/config/load.ts";
import type { LocalCluster } from "../cluster.ts";
import { ensureCredentials, generatePassword, saveServicePasswords } from "../credentials.ts";
import { platformaticOptions } from "../kafka-client-options.ts";
import { readAclOverlay } from "./acl-overlay.ts";
import { desiredState } from "./desired-state.ts";
import { executePlan } from "./execute.ts";
import { readLiveState } from "./live-state.ts";
import { formatPlan, planChanges, summarizePlan } from "./plan.ts";
import { aclKey, type Plan } from "./types.ts";

export interface ApplyOptions {
  /** Stack whose catalog to apply (`Pulumi.<stack>.yaml`), default dev. */
  readonly stack?: string;
  /** Print the plan only. */
  readonly dryRun?: boolean;
  /** Allow deleting topics, cutting retention and other data-losing steps. */
  readonly allowDestructive?: boolean;
  readonly log?: (line: string) => void;
  /** Override the model (tests); default buildPlatformModel(loadStack(stack)). */
  readonly model?: PlatformModel;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly applied: boolean;
}

export class ApplyRefusedError extends Error {
  override readonly name = "ApplyRefusedError";
}

/**
 * Reconciles the catalog (topics + configs, SCRAM users, ACLs) with the live cluster through
 * the Kafka Admin API: reads the live state, prints the plan, refuses impossible steps and
 * (without allowDestructive) data-losing ones before changing anything, then applies.
 * Generated passwords go to the instance's 0600 credentials file and are never printed.
 */
export async function applyCatalog(
  cluster: LocalCluster,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const log = options.log ?? (() => {});
  const model = options.model ?? buildPlatformModel(loadStack(options.stack ?? "dev"));
  const catalog = desiredState(model);
  // What other local tools added to this instance (acl-overlay.ts): kept, not drift.
  const inCatalog = new Set(catalog.acls.map(aclKey));
  const overlay = readAclOverlay(cluster.dir).filter((o) => !inCatalog.has(aclKey(o.binding)));
  const desired = { ...catalog, acls: [...catalog.acls, ...overlay.map((o) => o.binding)] };
  const target = {
    bootstrapServers: cluster.bootstrapServers,
    caPemPath: cluster.caPemPath,
    admin: cluster.adminCredentials,
  };
  const admin = new Admin({
    clientId: "kafka-platform-apply",
    ...platformaticOptions(target.bootstrapServers, target.caPemPath, target.admin),
    requestTimeout: 30_000,
  });
  try {
    const store = ensureCredentials(cluster.dir);
    const known = Object.keys(store.services);
    const live = await readLiveState(admin, target);
    const plan = planChanges(desired, live, { managedUsers: known, knownPasswords: known });
    const owners = [...new Set(overlay.map((o) => o.owner))];
    log(
      `plan for instance "${cluster.instance}", stack "${model.stack}" (${model.topics.length} topics, ${desired.users.length} users, ${catalog.acls.length} ACL bindings in the catalog${overlay.length > 0 ? `, ${overlay.length} kept for ${owners.join(", ")} (acl-overlay.json)` : ""}):`,
    );
    formatPlan(plan).forEach((l) => log(l));
    if (options.dryRun === true || plan.changes.length === 0) return { plan, applied: false };

    const summary = summarizePlan(plan);
    if (summary.impossible > 0) {
      throw new ApplyRefusedError(
        `refused: ${summary.impossible} change(s) Kafka cannot make (see IMPOSSIBLE above); nothing was changed`,
      );
    }
    if (summary.destructive > 0 && options.allowDestructive !== true) {
      throw new ApplyRefusedError(
        `refused: ${summary.destructive} destructive change(s); re-run with --allow-destructive to accept the data loss. Nothing was changed`,
      );
    }
    const passwords = new Map<string, string>();
    const services: Record<string, string> = { ...store.services };
    for (const c of plan.changes) {
      if (c.kind !== "user" || c.user === undefined) continue;
      if (c.action === "delete") {
        delete services[c.user];
      } else {
        const password = generatePassword();
        passwords.set(c.user, password);
        services[c.user] = password;
      }
    }
    // Saved before the credentials are set, so a generated password is never lost.
    if (passwords.size > 0) saveServicePasswords(cluster.dir, services);
    log("applying:");
    await executePlan(admin, target, plan, passwords, log);
    if (passwords.size === 0) saveServicePasswords(cluster.dir, services);
    log("applied.");
    return { plan, applied: true };
  } finally {
    await admin.close().catch(() => {});
  }
}
