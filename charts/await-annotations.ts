import type { PlatformModel } from "./model.ts";

/**
 * The kubernetes provider waits for a Deployment's rollout and a Service's endpoints before
 * `pulumi up` goes on. Where no pod can run (`operator.awaitReady: false`, the local control
 * plane, docs/control-plane.md) that wait never ends, so those objects carry
 * `pulumi.com/skipAwait`; everywhere else `pulumi up` waits for them, as it should.
 */
export function podAwaitAnnotations(model: PlatformModel): {
  annotations?: Record<string, string>;
} {
  return model.config.operator.awaitReady === false
    ? { annotations: { "pulumi.com/skipAwait": "true" } }
    : {};
}
