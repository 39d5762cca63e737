import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ControlPlane, controlPlanePorts } from "../../local/control-plane/control-plane.ts";
import { TOOLCHAIN_SCRIPT } from "../../local/control-plane/toolchain.ts";
import { isAlive } from "../../local/supervisor.ts";
import { toolchain } from "./support/plane.ts";

/**
 * The control plane's own life cycle, on an instance of its own: start, a harmless second
 * start, status, and a stop by pid that leaves no process and no open port behind. Then the
 * toolchain step's answers to a missing or broken tool.
 */
const INSTANCE = "cp-lifecycle";
const PORT_BASE = 49600;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("control plane life cycle", () => {
  const plane = new ControlPlane({ instance: INSTANCE, portBase: PORT_BASE });
  afterAll(async () => {
    await plane.stop();
    plane.purge();
  });

  it("starts etcd, kube-apiserver and kube-controller-manager and writes a kubeconfig", async () => {
    const t0 = Date.now();
    await plane.start(toolchain());
    console.log(`[control plane] started in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const status = plane.status(toolchain());
    expect(status.version).toBe("v1.37.2");
    expect(Object.values(status.running).every((pid) => pid !== undefined)).toBe(true);
    expect(existsSync(plane.kubeconfigPath)).toBe(true);
    // Token authentication: a request without the token is refused.
    const anonymous = spawnSync(
      "curl",
      ["-sk", "-o", "/dev/null", "-w", "%{http_code}", `${plane.server}/api/v1/namespaces`],
      { encoding: "utf8" },
    );
    expect(["401", "403"]).toContain(anonymous.stdout);
  });

  it("a second start is harmless: same processes, still ready", async () => {
    const before = plane.runningComponents();
    await plane.start(toolchain());
    expect(plane.runningComponents()).toEqual(before);
    expect(plane.status(toolchain()).version).toBe("v1.37.2");
  });

  it("stop ends every process by pid and frees every port", async () => {
    const pids = Object.values(plane.runningComponents()).filter(
      (p): p is number => p !== undefined,
    );
    expect(pids).toHaveLength(3);
    await plane.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    const p = controlPlanePorts(PORT_BASE);
    const ports = [p.apiserver, p.etcdClient, p.etcdPeer, p.controllerManager];
    for (const port of ports) {
      expect(await listening(port), `port ${port}`).toBe(false);
    }
    expect(plane.status(toolchain()).error).toBe("not running");
  });
});

describe("the toolchain step on a missing or broken tool", () => {
  const check = (
    env: Record<string, string>,
  ): { status: number | null; stderr: string; ms: number } => {
    const t0 = Date.now();
    const r = spawnSync("bash", [TOOLCHAIN_SCRIPT, "--check"], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    return { status: r.status, stderr: r.stderr, ms: Date.now() - t0 };
  };

  it("a tool named by its variable that does not exist is refused by name, within seconds", () => {
    const r = check({ KUBE_APISERVER: "/nonexistent/kube-apiserver" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      "KUBE_APISERVER=/nonexistent/kube-apiserver is not an executable file",
    );
    expect(r.ms).toBeLessThan(10_000);
  });

  it("a tool at another version is refused with the version it must report", () => {
    const r = check({ PULUMI: "/bin/true" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("PULUMI=/bin/true does not report version v3.277.0");
  });

  it("an empty cache lists every missing piece and the command that builds it", () => {
    const r = check({
      KAFKA_PLATFORM_CACHE: join(toolchain().binDir, "..", "..", "empty-cache-for-test"),
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("kube-apiserver v1.37.2");
    expect(r.stderr).toContain("pulumi-resource-kubernetes v4.25.0");
    expect(r.stderr).toContain("scripts/toolchain.sh builds them");
  });
});
