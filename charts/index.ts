// STUB (owned by the charts helper): the real implementation replaces this body.
import type { PlatformModel } from "./model.ts";

/** A Kubernetes object as rendered (plain JSON). */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** One chart's output; the render command writes each to dist/<stack>/<name>.yaml. */
export interface RenderedChart {
  readonly name: string;
  readonly objects: readonly K8sObject[];
}

/** Renders every chart of a stack, deterministically, without writing files. */
export function renderStack(_model: PlatformModel): RenderedChart[] {
  throw new Error("renderStack: not implemented yet");
}
