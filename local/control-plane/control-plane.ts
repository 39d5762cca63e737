import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { REPO_ROOT, instanceDir } from "../paths.ts";
import { LOOPBACK_HOST } from "../ports.ts";
import { isOurProcess, spawnDetached, stopProcesses } from "../supervisor.ts";
import type { Toolchain } from "./toolchain.ts";

/**
 * A real Kubernetes control plane on loopback for one local instance: etcd, kube-apiserver
 * (token authentication, RBAC) and kube-controller-manager (the garbage collector and namespace
 * controllers: pulumi-kubernetes deletes with foreground propagation, which hangs without them).
 * No kubelet and no scheduler: objects are stored, validated and garbage-collected, and no pod
 * ever runs. State, logs and the kubeconfig live in `.cache/local/<instance>/control-plane/`;
 * every process is stopped by the pid it got at start.
 */

export const LOCAL_CONTEXT = "kafka-platform-local";

/** Ports after the Kafka instance's own (base .. base+22): see local/ports.ts. */
export interface ControlPlanePorts {
  readonly apiserver: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly controllerManager: number;
}

export function controlPlanePorts(portBase: number): ControlPlanePorts {
  return {
    apiserver: portBase + 40,
    etcdClient: portBase + 41,
    etcdPeer: portBase + 42,
    controllerManager: portBase + 43,
  };
}

const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager"] as const;
type Component = (typeof COMPONENTS)[number];

interface State {
  readonly pids: Partial<Record<Component, number>>;
}

export interface ControlPlaneStatus {
  readonly running: Readonly<Record<Component, number | undefined>>;
  readonly server: string;
  readonly kubeconfig: string;
  /** `gitVersion` from /version when the API server answers. */
  readonly version?: string;
  /** Why the API server did not answer, when it did not. */
  readonly error?: string;
}

export class ControlPlaneError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK_HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class ControlPlane {
  readonly instance: string;
  readonly portBase: number;
  readonly dir: string;
  readonly ports: ControlPlanePorts;
  private readonly log: (line: string) => void;

  constructor(options: { instance: string; portBase: number; log?: (line: string) => void }) {
    this.instance = options.instance;
    this.portBase = options.portBase;
    this.dir = join(instanceDir(options.instance), "control-plane");
    this.ports = controlPlanePorts(options.portBase);
    this.log = options.log ?? (() => {});
  }

  get kubeconfigPath(): string {
    return join(this.dir, "kubeconfig");
  }

  get server(): string {
    return `https://${LOOPBACK_HOST}:${this.ports.apiserver}`;
  }

  private get stateFile(): string {
    return join(this.dir, "state.json");
  }

  private readState(): State {
    if (!existsSync(this.stateFile)) return { pids: {} };
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as State;
  }

  private writeState(state: State): void {
    writeFileSync(this.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** The marker each process's command line carries: its own folder under this instance. */
  private marker(component: Component): string {
    return join(this.dir, component);
  }

  /** Live pid per component (ours, checked by command line). */
  runningComponents(): Record<Component, number | undefined> {
    const { pids } = this.readState();
    const out = {} as Record<Component, number | undefined>;
    for (const c of COMPONENTS) {
      const pid = pids[c];
      out[c] = pid !== undefined && isOurProcess(pid, this.marker(c)) ? pid : undefined;
    }
    return out;
  }

  isRunning(): boolean {
    return Object.values(this.runningComponents()).every((pid) => pid !== undefined);
  }

  /**
   * Starts whatever is not running and waits until the API server is ready. A second call
   * with everything up only checks readiness. `toolchain` names the binaries.
   */
  async start(toolchain: Toolchain, options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.ensureIdentity();
    const running = this.runningComponents();
    const pids: Partial<Record<Component, number>> = { ...this.readState().pids };
    for (const c of COMPONENTS) if (running[c] === undefined) delete pids[c];
    const save = (): void => this.writeState({ pids });

    try {
      if (running.etcd === undefined) {
        await this.refuseBusyPort(this.ports.etcdClient, "etcd's client port");
        await this.refuseBusyPort(this.ports.etcdPeer, "etcd's peer port");
        const dataDir = join(this.marker("etcd"), "data");
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        const etcdUrl = `http://${LOOPBACK_HOST}:${this.ports.etcdClient}`;
        pids.etcd = this.spawn(toolchain, "etcd", [
          `--name=kafka-platform-${this.instance}`,
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://${LOOPBACK_HOST}:${this.ports.etcdPeer}`,
          `--initial-advertise-peer-urls=http://${LOOPBACK_HOST}:${this.ports.etcdPeer}`,
          `--initial-cluster=kafka-platform-${this.instance}=http://${LOOPBACK_HOST}:${this.ports.etcdPeer}`,
          "--log-level=warn",
        ]);
        save();
        await this.waitFor("etcd", timeoutMs, async () => {
          const r = await fetch(`${etcdUrl}/health`).catch(() => undefined);
          return r?.ok === true;
        });
      }
      if (running["kube-apiserver"] === undefined) {
        await this.refuseBusyPort(this.ports.apiserver, "the API server's port");
        const d = this.marker("kube-apiserver");
        pids["kube-apiserver"] = this.spawn(toolchain, "kube-apiserver", [
          `--etcd-servers=http://${LOOPBACK_HOST}:${this.ports.etcdClient}`,
          `--bind-address=${LOOPBACK_HOST}`,
          `--advertise-address=${LOOPBACK_HOST}`,
          `--secure-port=${this.ports.apiserver}`,
          `--cert-dir=${join(d, "certs")}`,
          `--token-auth-file=${join(this.dir, "identity", "tokens.csv")}`,
          "--authorization-mode=RBAC",
          "--service-account-issuer=https://kubernetes.default.svc",
          `--service-account-key-file=${join(this.dir, "identity", "sa.pub")}`,
          `--service-account-signing-key-file=${join(this.dir, "identity", "sa.key")}`,
          "--service-cluster-ip-range=10.96.0.0/16",
          "--endpoint-reconciler-type=none",
        ]);
        save();
        await this.waitFor("kube-apiserver", timeoutMs, () =>
          Promise.resolve(existsSync(join(d, "certs", "apiserver.crt")) && this.ready(toolchain)),
        );
        this.writeKubeconfig();
      }
      if (running["kube-controller-manager"] === undefined) {
        await this.refuseBusyPort(this.ports.controllerManager, "the controller manager's port");
        const d = this.marker("kube-controller-manager");
        mkdirSync(d, { recursive: true });
        pids["kube-controller-manager"] = this.spawn(toolchain, "kube-controller-manager", [
          `--kubeconfig=${this.kubeconfigPath}`,
          "--controllers=garbage-collector-controller,namespace-controller",
          `--bind-address=${LOOPBACK_HOST}`,
          `--secure-port=${this.ports.controllerManager}`,
          `--cert-dir=${join(d, "certs")}`,
          "--leader-elect=false",
        ]);
        save();
      }
      await this.waitFor("the API server", timeoutMs, () => Promise.resolve(this.ready(toolchain)));
    } catch (e) {
      // Nothing half-started stays behind.
      await this.stop();
      throw e;
    }
  }

  /** Stops every component by pid (controller manager, API server, then etcd). */
  async stop(): Promise<number[]> {
    const { pids } = this.readState();
    const stopped: number[] = [];
    for (const c of [...COMPONENTS].reverse()) {
      const pid = pids[c];
      if (pid === undefined) continue;
      if (isOurProcess(pid, this.marker(c))) stopped.push(pid);
      await stopProcesses([{ pid, marker: this.marker(c) }], 10_000);
    }
    if (existsSync(this.dir)) this.writeState({ pids: {} });
    return stopped;
  }

  /** Deletes the stored state (etcd data, certificates, kubeconfig, token). Stop first. */
  purge(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  status(toolchain: Toolchain | undefined): ControlPlaneStatus {
    const running = this.runningComponents();
    const base = { running, server: this.server, kubeconfig: this.kubeconfigPath };
    if (running["kube-apiserver"] === undefined) return { ...base, error: "not running" };
    if (toolchain === undefined) return { ...base, error: "toolchain not ready" };
    const r = this.kubectl(toolchain, ["version", "-o", "json"]);
    if (r.code !== 0) return { ...base, error: r.stderr.trim() };
    const version = (JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } })
      .serverVersion?.gitVersion;
    return version === undefined ? base : { ...base, version };
  }

  /** Runs kubectl against this control plane. */
  kubectl(
    toolchain: Toolchain,
    args: readonly string[],
    input?: string,
  ): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(toolchain.tool("kubectl"), [...args], {
      env: { ...process.env, KUBECONFIG: this.kubeconfigPath },
      input,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * What a cluster with kube-prometheus-stack has and the stacks expect (docs/control-plane.md):
   * the prometheus-operator CRDs from ../shared/schemas and the `monitoring` namespace.
   * Applied with kubectl's server-side apply; idempotent.
   */
  applyMonitoringPrerequisites(toolchain: Toolchain): void {
    const dir = join(REPO_ROOT, "..", "shared", "schemas", "prometheus-operator");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => join(dir, f));
    const crds = this.kubectl(toolchain, [
      "apply",
      "--server-side",
      "--field-manager=kafka-platform-local",
      ...files.flatMap((f) => ["-f", f]),
    ]);
    if (crds.code !== 0)
      throw new ControlPlaneError(`applying the prometheus-operator CRDs: ${crds.stderr}`);
    const ns = this.kubectl(
      toolchain,
      ["apply", "--server-side", "--field-manager=kafka-platform-local", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } }),
    );
    if (ns.code !== 0) throw new ControlPlaneError(`creating namespace monitoring: ${ns.stderr}`);
    const established = this.kubectl(toolchain, [
      "wait",
      "--for=condition=Established",
      "--timeout=30s",
      "crd/podmonitors.monitoring.coreos.com",
      "crd/prometheusrules.monitoring.coreos.com",
      "crd/servicemonitors.monitoring.coreos.com",
    ]);
    if (established.code !== 0)
      throw new ControlPlaneError(
        `prometheus-operator CRDs not established: ${established.stderr}`,
      );
  }

  private ready(toolchain: Toolchain): boolean {
    if (!existsSync(this.kubeconfigPath)) this.writeKubeconfig();
    return this.kubectl(toolchain, ["get", "--raw", "/readyz"]).stdout.trim() === "ok";
  }

  private spawn(toolchain: Toolchain, component: Component, args: readonly string[]): number {
    mkdirSync(this.marker(component), { recursive: true, mode: 0o700 });
    const log = join(this.dir, `${component}.log`);
    const { pid } = spawnDetached(args, log, this.marker(component), toolchain.tool(component));
    this.log(`  ${component} started (pid ${pid}, log ${log})`);
    return pid;
  }

  private async refuseBusyPort(port: number, what: string): Promise<void> {
    if (await portInUse(port)) {
      throw new ControlPlaneError(
        `${what} ${LOOPBACK_HOST}:${port} is already in use by another process; ` +
          `stop it, or pick another --port-base for instance "${this.instance}"`,
      );
    }
  }

  private async waitFor(
    what: string,
    timeoutMs: number,
    check: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      const dead = COMPONENTS.filter(
        (c) => this.readState().pids[c] !== undefined && this.runningComponents()[c] === undefined,
      );
      if (dead.length > 0) {
        const log = join(this.dir, `${dead[0] as string}.log`);
        const tail = existsSync(log)
          ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n")
          : "";
        throw new ControlPlaneError(
          `${dead.join(", ")} exited while waiting for ${what}; last lines of ${log}:\n${tail}`,
        );
      }
      await sleep(250);
    }
    throw new ControlPlaneError(
      `${what} was not ready within ${timeoutMs / 1000}s (logs in ${this.dir})`,
    );
  }

  /** A random admin token (tokens.csv, 0600) and the service-account signing key pair. */
  private ensureIdentity(): void {
    const d = join(this.dir, "identity");
    if (existsSync(join(d, "sa.pub"))) return;
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(d, "tokens.csv"), `${token},admin,admin-uid,system:masters\n`, {
      mode: 0o600,
    });
    execFileSync("openssl", ["genrsa", "-out", join(d, "sa.key"), "2048"], { stdio: "ignore" });
    execFileSync(
      "openssl",
      ["rsa", "-in", join(d, "sa.key"), "-pubout", "-out", join(d, "sa.pub")],
      {
        stdio: "ignore",
      },
    );
  }

  private token(): string {
    const line =
      readFileSync(join(this.dir, "identity", "tokens.csv"), "utf8").split("\n")[0] ?? "";
    return line.split(",")[0] ?? "";
  }

  /** kubeconfig (0600): context kafka-platform-local, the admin token, the server's own CA. */
  private writeKubeconfig(): void {
    const crt = join(this.marker("kube-apiserver"), "certs", "apiserver.crt");
    if (!existsSync(crt)) return;
    const ca = readFileSync(crt).toString("base64");
    const kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: LOCAL_CONTEXT, cluster: { server: this.server, "certificate-authority-data": ca } },
      ],
      users: [{ name: `${LOCAL_CONTEXT}-admin`, user: { token: this.token() } }],
      contexts: [
        {
          name: LOCAL_CONTEXT,
          context: { cluster: LOCAL_CONTEXT, user: `${LOCAL_CONTEXT}-admin` },
        },
      ],
      "current-context": LOCAL_CONTEXT,
    };
    writeFileSync(this.kubeconfigPath, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
  }

  /**
   * A kubeconfig whose contexts are the given names, all pointing at this control plane (for
   * previews of the real stacks, whose `kubernetes.context` names their own clusters).
   */
  kubeconfigWithContexts(contexts: readonly string[]): string {
    const base = JSON.parse(readFileSync(this.kubeconfigPath, "utf8")) as {
      contexts: { name: string; context: unknown }[];
    };
    const template = base.contexts[0]?.context;
    return JSON.stringify({
      ...base,
      contexts: [...base.contexts, ...contexts.map((name) => ({ name, context: template }))],
    });
  }
}
