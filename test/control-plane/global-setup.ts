import type { TestProject } from "vitest/node";
import { LOCAL_BOOTSTRAP_ADMIN, LocalCluster } from "../../local/cluster.ts";
import { ControlPlane } from "../../local/control-plane/control-plane.ts";
import { StrimziOperators } from "../../local/control-plane/strimzi-operators.ts";
import { ensureToolchain } from "../../local/control-plane/toolchain.ts";
import { PLANE_INSTANCE, PLANE_PORT_BASE } from "./support/plane.ts";

/**
 * The real control plane for the whole `control-plane` project: the toolchain (built once per
 * machine into the cache outside the clone; scripts/test.sh builds it before vitest starts),
 * a fresh 3-node Kafka instance without the catalog applied (Strimzi's operators and the
 * Pulumi stacks own topics, users and ACLs here), and etcd + kube-apiserver +
 * kube-controller-manager on loopback with the prometheus-operator CRDs. Everything is stopped
 * by pid at teardown, and when setup fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => console.log(`[control-plane] ${line}`);
  const toolchain = await ensureToolchain({ build: true, log });
  const cluster = new LocalCluster({
    instance: PLANE_INSTANCE,
    portBase: PLANE_PORT_BASE,
    adminUsername: LOCAL_BOOTSTRAP_ADMIN,
    log,
  });
  const plane = new ControlPlane({ instance: PLANE_INSTANCE, portBase: PLANE_PORT_BASE, log });
  const teardown = async (): Promise<void> => {
    await new StrimziOperators(cluster, plane).stop();
    await plane.stop();
    plane.purge();
    await cluster.stop();
  };
  try {
    await teardown();
    const t0 = Date.now();
    await cluster.start({ fresh: true });
    log(`Kafka ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const t1 = Date.now();
    await plane.start(toolchain);
    plane.applyMonitoringPrerequisites(toolchain);
    log(`control plane ready in ${((Date.now() - t1) / 1000).toFixed(1)}s`);
    project.provide("controlPlane", {
      instance: PLANE_INSTANCE,
      portBase: PLANE_PORT_BASE,
      kubeconfig: plane.kubeconfigPath,
      server: plane.server,
      binDir: toolchain.binDir,
      kafka: cluster.connectionInfo(),
    });
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
