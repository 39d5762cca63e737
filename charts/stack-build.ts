import type { LoadedStack } from "../infra/config/load.ts";
import {
  checkAgainstLock,
  formatDestructiveChange,
  type LockCheck,
} from "../topics/catalog-lock.ts";
import { validationErrors } from "./crd-schema-validator.ts";
import { renderStack, type K8sObject, type RenderedChart } from "./index.ts";
import { buildPlatformModel, type PlatformModel } from "./model.ts";
import { findSecretMaterial } from "./secret-guard.ts";

/**
 * The one checked path from a stack's config to its objects. The render command and the
 * Pulumi program both call `buildStack`, so `pulumi up` never deploys what render would refuse:
 *
 * 1. the platform model (config + catalog, every problem at once: ValidationError);
 * 2. the catalog lock: a topic change that can lose data needs an acknowledgement;
 * 3. the charts, every object validated against the real Strimzi / prometheus-operator CRDs;
 * 4. the secret guard: no password, key or token in any rendered object.
 *
 * A server-side dry run against a live API server (infra/server-dry-run.ts) comes on top where
 * one is reachable: render runs it, and `pulumi preview` does the same per object through the
 * kubernetes provider's server-side apply.
 */
export interface BuiltStack {
  readonly model: PlatformModel;
  readonly charts: readonly RenderedChart[];
  readonly objects: readonly K8sObject[];
  readonly lock: LockCheck;
}

/** Thrown when a check refuses the stack; `problems` are one line each, nothing was rendered. */
export class StackCheckError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: readonly string[],
    summary: string,
  ) {
    super(`${summary}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function buildStack(loaded: Pick<LoadedStack, "stack" | "file" | "config">): BuiltStack {
  const model = buildPlatformModel(loaded);
  const lock = checkAgainstLock(model.stack, model.topics);
  if (lock.unacknowledged.length > 0) {
    const n = lock.unacknowledged.length;
    throw new StackCheckError(
      model.stack,
      lock.unacknowledged.map((c) => formatDestructiveChange(model.stack, c)),
      `${n} destructive topic change${n === 1 ? "" : "s"} without acknowledgement (nothing written or applied)`,
    );
  }
  const charts = renderStack(model);
  const objects = charts.flatMap((c) => c.objects);
  const problems = [
    ...validationErrors(objects),
    ...findSecretMaterial(objects).map((f) => `${f}: secret material must never be rendered`),
  ];
  if (problems.length > 0) {
    throw new StackCheckError(
      model.stack,
      problems,
      `${problems.length} rendered object problem${problems.length === 1 ? "" : "s"} (nothing written or applied)`,
    );
  }
  return { model, charts, objects, lock };
}
