import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kafkaJmxExporterConfigYaml } from "../charts/monitoring/index.ts";
import { ensureCertificates, type InstanceCertificates } from "./certificates.ts";
import {
  credentialsFile,
  ensureCredentials,
  readCredentials,
  type ScramCredential,
} from "./credentials.ts";
import { fetchKafkaJars } from "./fetch.ts";
import { warmUpCoordinators } from "./coordinators.ts";
import {
  probeCluster,
  waitUntilHealthy,
  type ProbeTarget,
  type ClusterProbe,
  type HealthExpectation,
} from "./health.ts";
import {
  jitFlags,
  jmxExporterAgentJar,
  kafkaClasspath,
  localJit,
  runKafkaTool,
  type LocalJit,
} from "./java.ts";
import {
  ensureDir,
  nodeFiles,
  renderClientProperties,
  renderLog4j2Properties,
  renderServerProperties,
  writePrivateFile,
} from "./node-config.ts";
import { INSTANCE_NAME_PATTERN, instanceDir } from "./paths.ts";
import {
  LOOPBACK_HOST,
  NODE_IDS,
  allNodePorts,
  isNodeId,
  nodePorts,
  validatePortBase,
  type NodeId,
  type NodePorts,
} from "./ports.ts";
import { isOurProcess, spawnDetached, stopProcesses } from "./supervisor.ts";

export interface LocalClusterOptions {
  /** Instance name: directory `.cache/local/<instance>/`. */
  readonly instance: string;
  /** First port of the instance's range (see local/ports.ts). */
  readonly portBase: number;
  /** JVM heap of each node (-Xms/-Xmx), default 512m or $KP_LOCAL_HEAP. */
  readonly heap?: string;
  /** The nodes' JIT (see LocalJit), default $KP_LOCAL_JIT or full. */
  readonly jit?: LocalJit;
  /** Progress lines; silent by default. */
  readonly log?: (line: string) => void;
  /**
   * The bootstrap admin's name, when the instance is first created (default platform-admin).
   * An instance beside a control plane takes another (LOCAL_BOOTSTRAP_ADMIN): there the
   * stack's own KafkaUser `platform-admin` is Strimzi's User Operator's to manage.
   */
  readonly adminUsername?: string;
}

/** The bootstrap admin of an instance that runs beside a control plane. */
export const LOCAL_BOOTSTRAP_ADMIN = "local-bootstrap-admin";

/** Everything a client (test, tool, benchmark) needs to connect; JSON-serialisable. */
export interface ClusterConnectionInfo {
  readonly instance: string;
  readonly portBase: number;
  readonly dir: string;
  readonly bootstrapServers: readonly string[];
  readonly caPemPath: string;
  readonly admin: ScramCredential;
  /** Java client properties (SASL_SSL as the admin) for Kafka's CLI and perf tools; 0600. */
  readonly adminClientPropertiesPath: string;
  readonly nodes: readonly NodePorts[];
  /** Service user → credential, for the users `apply` created. */
  readonly services: Readonly<Record<string, ScramCredential>>;
}

interface NodeState {
  readonly pid: number;
  readonly startedAt: string;
  /** Size of the node's log when it was spawned: where this run's output starts. */
  readonly logOffset?: number;
  /** Spawn attempts after a failed port bind (see reviveNodesThatLostTheirPort). */
  readonly bindRetries?: number;
}
interface InstanceState {
  readonly portBase: number;
  readonly clusterId: string;
  readonly nodes: Partial<Record<string, NodeState>>;
}

const DEFAULT_HEAP = "512m";
const STOP_GRACE_MS = 30_000;

function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/**
 * A real Apache Kafka cluster on loopback: 3 combined broker+controller nodes (KRaft), SASL_SSL
 * with SCRAM-SHA-512, StandardAuthorizer denying by default, each node with the JMX Prometheus
 * exporter agent. All state lives in `.cache/local/<instance>/`, so any process (the CLI, a
 * test file, the global setup) can attach to a running instance with the same name and port
 * base and control it.
 */
export class LocalCluster {
  readonly instance: string;
  readonly portBase: number;
  readonly dir: string;
  private readonly heap: string;
  private readonly jit: LocalJit;
  private readonly log: (line: string) => void;
  private readonly adminUsername: string | undefined;

  constructor(options: LocalClusterOptions) {
    if (!INSTANCE_NAME_PATTERN.test(options.instance)) {
      throw new Error(
        `instance name "${options.instance}" must match ${INSTANCE_NAME_PATTERN.source}`,
      );
    }
    validatePortBase(options.portBase);
    this.instance = options.instance;
    this.portBase = options.portBase;
    this.dir = instanceDir(options.instance);
    this.heap = options.heap ?? process.env.KP_LOCAL_HEAP ?? DEFAULT_HEAP;
    this.jit = options.jit ?? localJit();
    if (!/^[0-9]+[mg]$/.test(this.heap))
      throw new Error(`heap "${this.heap}" must look like 512m or 1g`);
    this.log = options.log ?? (() => {});
    this.adminUsername = options.adminUsername;
  }

  get bootstrapServers(): string[] {
    return allNodePorts(this.portBase).map((p) => `${LOOPBACK_HOST}:${p.client}`);
  }

  get caPemPath(): string {
    return join(this.dir, "tls", "ca.pem");
  }

  get adminClientPropertiesPath(): string {
    return join(this.dir, "admin-client.properties");
  }

  get nodes(): NodePorts[] {
    return allNodePorts(this.portBase);
  }

  /** Whether the instance has been created (its credentials file exists). */
  hasCredentials(): boolean {
    return readCredentials(this.dir) !== undefined;
  }

  get adminCredentials(): ScramCredential {
    const store = readCredentials(this.dir);
    if (store === undefined)
      throw new Error(`instance "${this.instance}" has no credentials yet; start it first`);
    return store.admin;
  }

  /** The SCRAM credential `apply` created for a service user. */
  serviceCredentials(service: string): ScramCredential {
    const password = readCredentials(this.dir)?.services[service];
    if (password === undefined) {
      throw new Error(
        `no credential for "${service}" in ${credentialsFile(this.dir)}; run apply first`,
      );
    }
    return { username: service, password };
  }

  connectionInfo(): ClusterConnectionInfo {
    const store = readCredentials(this.dir);
    if (store === undefined) throw new Error(`instance "${this.instance}" was never started`);
    return {
      instance: this.instance,
      portBase: this.portBase,
      dir: this.dir,
      bootstrapServers: this.bootstrapServers,
      caPemPath: this.caPemPath,
      admin: store.admin,
      adminClientPropertiesPath: this.adminClientPropertiesPath,
      nodes: this.nodes,
      services: Object.fromEntries(
        Object.entries(store.services).map(([u, password]) => [u, { username: u, password }]),
      ),
    };
  }

  private statePath(): string {
    return join(this.dir, "state.json");
  }

  private readState(): InstanceState | undefined {
    if (!existsSync(this.statePath())) return undefined;
    return JSON.parse(readFileSync(this.statePath(), "utf8")) as InstanceState;
  }

  private writeState(state: InstanceState): void {
    writeFileSync(this.statePath(), `${JSON.stringify(state, null, 2)}\n`);
  }

  private marker(id: NodeId): string {
    return nodeFiles(this.dir, id).properties;
  }

  /** Nodes whose recorded pid still runs this instance's node. */
  runningNodes(): { id: NodeId; pid: number }[] {
    const state = this.readState();
    if (state === undefined) return [];
    return NODE_IDS.flatMap((id) => {
      const node = state.nodes[String(id)];
      return node !== undefined && isOurProcess(node.pid, this.marker(id))
        ? [{ id, pid: node.pid }]
        : [];
    });
  }

  isRunning(): boolean {
    return this.runningNodes().length > 0;
  }

  private log4jPath(): string {
    return join(this.dir, "log4j2.properties");
  }

  private writeConfigs(certs: InstanceCertificates, admin: ScramCredential): void {
    writeFileSync(this.log4jPath(), renderLog4j2Properties("INFO"));
    writeFileSync(join(this.dir, "log4j2-tools.properties"), renderLog4j2Properties("WARN"));
    writeFileSync(join(this.dir, "jmx-exporter.yaml"), kafkaJmxExporterConfigYaml());
    writePrivateFile(this.adminClientPropertiesPath, renderClientProperties(admin, certs.caPem));
    for (const id of NODE_IDS) {
      const files = nodeFiles(this.dir, id);
      ensureDir(files.dir);
      writePrivateFile(
        files.properties,
        renderServerProperties({ id, portBase: this.portBase, files, certs, admin }),
      );
    }
  }

  private async formatStorage(clusterId: string, admin: ScramCredential): Promise<void> {
    const pending = NODE_IDS.filter(
      (id) => !existsSync(join(nodeFiles(this.dir, id).dataDir, "meta.properties")),
    );
    if (pending.length === 0) return;
    this.log(`formatting storage of nodes ${pending.join(", ")} (cluster id ${clusterId})`);
    const results = await Promise.all(
      pending.map((id) =>
        runKafkaTool(
          "kafka.tools.StorageTool",
          [
            "format",
            "--config",
            nodeFiles(this.dir, id).properties,
            "--cluster-id",
            clusterId,
            "--add-scram",
            `SCRAM-SHA-512=[name=${admin.username},password=${admin.password}]`,
            "--ignore-formatted",
          ],
          { log4jConfig: join(this.dir, "log4j2-tools.properties") },
        ),
      ),
    );
    results.forEach((r, i) => {
      if (r.code !== 0) {
        throw new Error(
          `kafka-storage format of node ${pending[i]} failed:\n${r.stderr}${r.stdout}`,
        );
      }
    });
  }

  private jvmArgs(id: NodeId): string[] {
    const files = nodeFiles(this.dir, id);
    const ports = nodePorts(this.portBase, id);
    return [
      `-Xms${this.heap}`,
      `-Xmx${this.heap}`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-XX:InitiatingHeapOccupancyPercent=35",
      "-XX:+ExplicitGCInvokesConcurrent",
      // Two cores shared by three nodes (and often several clusters): fewer JVM threads.
      "-XX:ParallelGCThreads=2",
      "-XX:ConcGCThreads=1",
      "-XX:CICompilerCount=2",
      ...jitFlags(this.jit),
      "-Xss512k",
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${this.log4jPath()}`,
      `-Dkafka.logs.dir=${files.dir}`,
      `-javaagent:${jmxExporterAgentJar()}=${LOOPBACK_HOST}:${ports.metrics}:${join(this.dir, "jmx-exporter.yaml")}`,
      "-cp",
      kafkaClasspath(),
      "kafka.Kafka",
      files.properties,
    ];
  }

  private spawnNode(id: NodeId, bindRetries = 0): number {
    const files = nodeFiles(this.dir, id);
    const logOffset = existsSync(files.log) ? statSync(files.log).size : 0;
    const { pid } = spawnDetached(this.jvmArgs(id), files.log, files.dir);
    const state = this.readState();
    if (state === undefined) throw new Error("instance state missing");
    this.writeState({
      ...state,
      nodes: {
        ...state.nodes,
        [String(id)]: { pid, startedAt: new Date().toISOString(), logOffset, bindRetries },
      },
    });
    this.log(`node ${id} started (pid ${pid}, client port ${nodePorts(this.portBase, id).client})`);
    return pid;
  }

  /**
   * Fetches the jars if needed, creates certificates, credentials and configs, formats storage
   * (with the bootstrap SCRAM admin), starts every node not already running and waits until
   * healthy. `fresh: true` first stops this instance and deletes its data.
   */
  async start(options: { fresh?: boolean; timeoutMs?: number } = {}): Promise<ClusterProbe> {
    fetchKafkaJars(this.log);
    if (options.fresh === true) {
      await this.stop();
      rmSync(this.dir, { recursive: true, force: true });
    }
    ensureDir(this.dir);
    const previous = this.readState();
    if (previous !== undefined && previous.portBase !== this.portBase && this.isRunning()) {
      throw new Error(
        `instance "${this.instance}" is running on port base ${previous.portBase}; stop it first`,
      );
    }
    const admin = ensureCredentials(this.dir, this.adminUsername).admin;
    const certs = ensureCertificates(this.dir);
    this.writeConfigs(certs, admin);
    const clusterId = previous?.clusterId ?? newClusterId();
    this.writeState({ portBase: this.portBase, clusterId, nodes: previous?.nodes ?? {} });
    await this.formatStorage(clusterId, admin);
    const running = new Set(this.runningNodes().map((n) => n.id));
    for (const id of NODE_IDS) if (!running.has(id)) this.spawnNode(id);
    this.log(
      "waiting for the cluster to be healthy (brokers registered, quorum leader, ISR complete)",
    );
    const timeoutMs = options.timeoutMs ?? 180_000;
    await this.waitHealthy({ timeoutMs });
    if (await warmUpCoordinators(this.probeTarget(), timeoutMs)) {
      this.log(
        "created the group and transaction coordinators' topics; waiting for their replicas",
      );
      return this.waitHealthy({ timeoutMs });
    }
    return this.probe();
  }

  private probeTarget(): ProbeTarget {
    return {
      bootstrapServers: this.bootstrapServers,
      caPemPath: this.caPemPath,
      admin: this.adminCredentials,
    };
  }

  /**
   * A node whose listener port was taken when it started exits at once. Ports in the kernel's
   * ephemeral range (32768-60999 here) can be held for a moment by any outgoing connection,
   * so such a node is started again (up to 5 times); any other early exit is an error.
   */
  private async reviveNodesThatLostTheirPort(expected: readonly NodeId[]): Promise<void> {
    const state = this.readState();
    if (state === undefined) return;
    for (const id of expected) {
      const node = state.nodes[String(id)];
      if (node === undefined || isOurProcess(node.pid, this.marker(id))) continue;
      const files = nodeFiles(this.dir, id);
      const output = existsSync(files.log)
        ? readFileSync(files.log)
            .subarray(node.logOffset ?? 0)
            .toString("utf8")
        : "";
      const retries = node.bindRetries ?? 0;
      if (/Address already in use/.test(output) && retries < 5) {
        this.log(`node ${id} could not bind its port (taken by another socket); starting it again`);
        await new Promise((r) => setTimeout(r, 2000));
        this.spawnNode(id, retries + 1);
        continue;
      }
      const last = output.trim().split("\n").slice(-3).join("\n");
      throw new Error(`node ${id} (pid ${node.pid}) exited; see ${files.log}:\n${last}`);
    }
  }

  /** Stops every node this instance started, by pid, and waits until they have exited. */
  async stop(): Promise<void> {
    const state = this.readState();
    if (state === undefined) return;
    const targets = NODE_IDS.flatMap((id) => {
      const node = state.nodes[String(id)];
      return node === undefined ? [] : [{ pid: node.pid, marker: this.marker(id) }];
    });
    const live = targets.filter((t) => isOurProcess(t.pid, t.marker));
    if (live.length > 0)
      this.log(`stopping ${live.length} node(s): pids ${live.map((t) => t.pid).join(", ")}`);
    const { killed } = await stopProcesses(targets, STOP_GRACE_MS);
    if (killed.length > 0)
      this.log(`killed after ${STOP_GRACE_MS / 1000}s grace: ${killed.join(", ")}`);
    this.writeState({ ...state, nodes: {} });
  }

  /** Stops one node (broker and controller) by its pid and waits for it to exit. */
  async stopBroker(id: number): Promise<void> {
    if (!isNodeId(id)) throw new Error(`no node ${id}; nodes are ${NODE_IDS.join(", ")}`);
    const state = this.readState();
    const node = state?.nodes[String(id)];
    if (state === undefined || node === undefined) throw new Error(`node ${id} is not running`);
    this.log(`stopping node ${id} (pid ${node.pid})`);
    await stopProcesses([{ pid: node.pid, marker: this.marker(id) }], STOP_GRACE_MS);
    const nodes = { ...state.nodes };
    delete nodes[String(id)];
    this.writeState({ ...state, nodes });
  }

  /** Starts a stopped node again (does not wait; call waitHealthy). */
  startBroker(id: number): number {
    if (!isNodeId(id)) throw new Error(`no node ${id}; nodes are ${NODE_IDS.join(", ")}`);
    const running = this.runningNodes().find((n) => n.id === id);
    if (running !== undefined) return running.pid;
    return this.spawnNode(id);
  }

  /** Looks at the cluster once (brokers, quorum, under-replicated partitions). */
  probe(): Promise<ClusterProbe> {
    return probeCluster({
      bootstrapServers: this.bootstrapServers,
      caPemPath: this.caPemPath,
      admin: this.adminCredentials,
    });
  }

  /**
   * Waits until every running node (or `nodes`) is a registered broker, the quorum has a
   * leader and (unless fullyReplicated is false) no partition is under-replicated.
   */
  async waitHealthy(
    options: { timeoutMs?: number } & Partial<HealthExpectation> = {},
  ): Promise<ClusterProbe> {
    const state = this.readState();
    const recorded = NODE_IDS.filter((id) => state?.nodes[String(id)] !== undefined);
    const nodes = options.nodes ?? recorded;
    if (nodes.length === 0) throw new Error(`instance "${this.instance}" has no running node`);
    let lastReason = "";
    return waitUntilHealthy(
      {
        bootstrapServers: this.bootstrapServers,
        caPemPath: this.caPemPath,
        admin: this.adminCredentials,
      },
      { nodes, fullyReplicated: options.fullyReplicated ?? true },
      options.timeoutMs ?? 180_000,
      (reason) => {
        if (reason !== lastReason) this.log(`  waiting: ${reason}`);
        lastReason = reason;
      },
      () => this.reviveNodesThatLostTheirPort(nodes.filter(isNodeId)),
    );
  }
}
