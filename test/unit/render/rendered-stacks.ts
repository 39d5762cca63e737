import { listStacks, loadStack } from "../../../infra/config/load.ts";
import { renderStack, type K8sObject, type RenderedChart } from "../../../charts/index.ts";
import { buildPlatformModel, type PlatformModel } from "../../../charts/model.ts";

export interface RenderedStack {
  readonly stack: string;
  readonly model: PlatformModel;
  readonly charts: readonly RenderedChart[];
  readonly objects: readonly K8sObject[];
}

let cache: RenderedStack[] | undefined;

/** Every stack file of the repository (listStacks, never a hand-written list), rendered once. */
export function renderedStacks(): RenderedStack[] {
  cache ??= listStacks().map((stack) => {
    const model = buildPlatformModel(loadStack(stack));
    const charts = renderStack(model);
    return { stack, model, charts, objects: charts.flatMap((c) => c.objects) };
  });
  return cache;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Reads a nested field without `any`: `field(obj, "spec", "kafka", "listeners")`. */
export function field(obj: unknown, ...path: (string | number)[]): unknown {
  let at: unknown = obj;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}
