import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { PLATFORM_ADMIN_USER } from "../../acl/services.ts";
import { LOCAL_BOOTSTRAP_ADMIN, type LocalCluster } from "../cluster.ts";
import { jitFlags, localJit } from "../java.ts";
import { instanceDir } from "../paths.ts";
import { LOOPBACK_HOST } from "../ports.ts";
import { isOurProcess, spawnDetached, stopProcesses } from "../supervisor.ts";
import { ControlPlaneError, type ControlPlane } from "./control-plane.ts";
import type { Toolchain } from "./toolchain.ts";

/**
 * Strimzi 1.2.0's own Topic Operator and User Operator, run as JVMs on this machine against
 * the local control plane (KafkaTopic and KafkaUser resources) and the local Kafka instance
 * (SASL_SSL with SCRAM-SHA-512, as the instance's bootstrap admin). In a real cluster the
 * Cluster Operator runs them as the entity operator's two containers and writes the CA Secrets
 * they read; here no pod can run, so this module starts the same main classes and writes those
 * Secrets itself (docs/control-plane.md says what that leaves untested).
 *
 * Their health servers listen on fixed ports (8080 and 8081, not configurable in 1.2.0), so one
 * pair runs per machine.
 */

export const TOPIC_OPERATOR_HEALTH_PORT = 8080;
export const USER_OPERATOR_HEALTH_PORT = 8081;

const OPERATORS = ["topic-operator", "user-operator"] as const;
type Operator = (typeof OPERATORS)[number];

const MAIN_CLASS: Record<Operator, string> = {
  "topic-operator": "io.strimzi.operator.topic.Main",
  "user-operator": "io.strimzi.operator.user.Main",
};
const HEALTH_PORT: Record<Operator, number> = {
  "topic-operator": TOPIC_OPERATOR_HEALTH_PORT,
  "user-operator": USER_OPERATOR_HEALTH_PORT,
};

export interface StrimziOperatorsTarget {
  /** Namespace of the Kafka cluster's KafkaTopics, KafkaUsers and Secrets. */
  readonly namespace: string;
  /** `strimzi.io/cluster` label value the operators select. */
  readonly clusterName: string;
  /** How often each operator reconciles everything (default 30 s). */
  readonly fullReconciliationMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: LOOPBACK_HOST, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Secret names the Cluster Operator would create for cluster `name`. */
export function caSecretNames(clusterName: string): {
  clusterCaCert: string;
  clientsCaCert: string;
  clientsCaKey: string;
} {
  return {
    clusterCaCert: `${clusterName}-cluster-ca-cert`,
    clientsCaCert: `${clusterName}-clients-ca-cert`,
    clientsCaKey: `${clusterName}-clients-ca`,
  };
}

export class StrimziOperators {
  readonly dir: string;
  private readonly log: (line: string) => void;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly controlPlane: ControlPlane,
    log?: (line: string) => void,
  ) {
    this.dir = join(instanceDir(cluster.instance), "strimzi-operators");
    this.log = log ?? (() => {});
  }

  private get stateFile(): string {
    return join(this.dir, "state.json");
  }

  private marker(op: Operator): string {
    return `-Dkafka-platform.operator=${join(this.dir, op)}`;
  }

  private pids(): Partial<Record<Operator, number>> {
    if (!existsSync(this.stateFile)) return {};
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as Partial<Record<Operator, number>>;
  }

  running(): Record<Operator, number | undefined> {
    const pids = this.pids();
    const out = {} as Record<Operator, number | undefined>;
    for (const op of OPERATORS) {
      const pid = pids[op];
      out[op] = pid !== undefined && isOurProcess(pid, this.marker(op)) ? pid : undefined;
    }
    return out;
  }

  /**
   * Writes the CA Secrets the operators read, starts whichever operator is not running and
   * waits until both report ready. The namespace and the Strimzi CRDs must exist (pulumi up of
   * the local stack creates them).
   */
  async start(
    toolchain: Toolchain,
    target: StrimziOperatorsTarget,
    options: { timeoutMs?: number; waitForPrerequisitesMs?: number } = {},
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    if (!this.controlPlane.isRunning()) {
      throw new ControlPlaneError(
        `the control plane of instance "${this.cluster.instance}" is not running (npm run local -- up --control-plane)`,
      );
    }
    if (!this.cluster.isRunning()) {
      throw new ControlPlaneError(
        `Kafka instance "${this.cluster.instance}" is not running (npm run local -- up --control-plane)`,
      );
    }
    if (this.cluster.adminCredentials.username === PLATFORM_ADMIN_USER) {
      throw new ControlPlaneError(
        `Kafka instance "${this.cluster.instance}" was created without a control plane: its bootstrap admin is ` +
          `${PLATFORM_ADMIN_USER}, whose KafkaUser the User Operator would take over. Re-create it with ` +
          `npm run local -- up --control-plane --fresh (its admin is then ${LOCAL_BOOTSTRAP_ADMIN})`,
      );
    }
    // The Cluster Operator writes the CA Secrets as soon as the cluster's namespace exists;
    // started beside `pulumi up`, this waits for the namespace and the CRDs it creates.
    const waitUntil = Date.now() + (options.waitForPrerequisitesMs ?? 0);
    const present = (): boolean =>
      this.controlPlane.kubectl(toolchain, ["get", "namespace", target.namespace]).code === 0 &&
      this.controlPlane.kubectl(toolchain, [
        "get",
        "crd",
        "kafkatopics.kafka.strimzi.io",
        "kafkausers.kafka.strimzi.io",
      ]).code === 0;
    let ready = present();
    if (!ready && options.waitForPrerequisitesMs !== undefined) {
      this.log(
        `  waiting for namespace ${target.namespace} and the Strimzi CRDs (pulumi up --stack local creates them)`,
      );
    }
    while (!ready && Date.now() < waitUntil) {
      await sleep(500);
      ready = present();
    }
    if (!ready) {
      throw new ControlPlaneError(
        `namespace "${target.namespace}" or the Strimzi CRDs are missing on ${this.controlPlane.server}: ` +
          "run `pulumi up --stack local` first (docs/control-plane.md)",
      );
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.applyCaSecrets(toolchain, target);
    const running = this.running();
    const pids: Partial<Record<Operator, number>> = {};
    for (const op of OPERATORS) if (running[op] !== undefined) pids[op] = running[op];
    try {
      for (const op of OPERATORS) {
        if (pids[op] !== undefined) continue;
        if (await listening(HEALTH_PORT[op])) {
          throw new ControlPlaneError(
            `port ${HEALTH_PORT[op]} (the ${op}'s health server, fixed in Strimzi 1.2.0) is in use: ` +
              "another instance's operators are running (npm run local -- down --instance <it>)",
          );
        }
        pids[op] = this.spawn(toolchain, op, target);
        writeFileSync(this.stateFile, `${JSON.stringify(pids)}\n`);
      }
      const deadline = Date.now() + timeoutMs;
      for (const op of OPERATORS) {
        for (;;) {
          const r = await fetch(`http://${LOOPBACK_HOST}:${HEALTH_PORT[op]}/ready`).catch(
            () => undefined,
          );
          if (r?.ok === true) break;
          if (this.running()[op] === undefined) {
            throw new ControlPlaneError(
              `${op} exited during start (log: ${join(this.dir, `${op}.log`)})`,
            );
          }
          if (Date.now() > deadline) {
            throw new ControlPlaneError(
              `${op} not ready within ${timeoutMs / 1000}s (log: ${join(this.dir, `${op}.log`)})`,
            );
          }
          await sleep(500);
        }
      }
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<number[]> {
    const pids = this.pids();
    const targets = OPERATORS.flatMap((op) =>
      pids[op] === undefined ? [] : [{ pid: pids[op], marker: this.marker(op) }],
    );
    const live = targets.filter((t) => isOurProcess(t.pid, t.marker)).map((t) => t.pid);
    await stopProcesses(targets, 15_000);
    if (existsSync(this.dir)) writeFileSync(this.stateFile, "{}\n");
    return live;
  }

  /**
   * What the Cluster Operator writes before it starts the entity operator: the cluster CA's
   * certificate (here the local instance's CA) and a clients CA (generated once, kept 0600).
   */
  private applyCaSecrets(toolchain: Toolchain, target: StrimziOperatorsTarget): void {
    const names = caSecretNames(target.clusterName);
    const clientsCa = this.ensureClientsCa();
    const b64 = (path: string): string => readFileSync(path).toString("base64");
    const labels = { "strimzi.io/cluster": target.clusterName, "strimzi.io/kind": "Kafka" };
    const secrets = [
      { name: names.clusterCaCert, data: { "ca.crt": b64(this.cluster.caPemPath) } },
      { name: names.clientsCaCert, data: { "ca.crt": b64(clientsCa.cert) } },
      { name: names.clientsCaKey, data: { "ca.key": b64(clientsCa.key) } },
    ].map((s) => ({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: s.name, namespace: target.namespace, labels },
      data: s.data,
    }));
    const r = this.controlPlane.kubectl(
      toolchain,
      ["apply", "--server-side", "--field-manager=kafka-platform-local", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: secrets }),
    );
    if (r.code !== 0) throw new ControlPlaneError(`writing the CA Secrets: ${r.stderr.trim()}`);
  }

  private ensureClientsCa(): { cert: string; key: string } {
    const d = join(this.dir, "clients-ca");
    const out = { cert: join(d, "ca.crt"), key: join(d, "ca.key") };
    if (existsSync(out.cert) && existsSync(out.key)) return out;
    mkdirSync(d, { recursive: true, mode: 0o700 });
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        out.key,
        "-out",
        out.cert,
        "-days",
        "30",
        "-subj",
        "/O=kafka-platform local/CN=clients-ca",
      ],
      { stdio: "ignore" },
    );
    chmodSync(out.key, 0o600);
    return out;
  }

  private spawn(toolchain: Toolchain, op: Operator, target: StrimziOperatorsTarget): number {
    const admin = this.cluster.adminCredentials;
    const names = caSecretNames(target.clusterName);
    const common: Record<string, string> = {
      KUBECONFIG: this.controlPlane.kubeconfigPath,
      STRIMZI_NAMESPACE: target.namespace,
      STRIMZI_KAFKA_BOOTSTRAP_SERVERS: this.cluster.bootstrapServers.join(","),
      STRIMZI_FULL_RECONCILIATION_INTERVAL_MS: String(target.fullReconciliationMs ?? 30_000),
    };
    const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin.username}" password="${admin.password}";`;
    const specific: Record<string, string> =
      op === "topic-operator"
        ? {
            STRIMZI_RESOURCE_LABELS: `strimzi.io/cluster=${target.clusterName}`,
            STRIMZI_CLUSTER_NAMESPACE: target.namespace,
            STRIMZI_SECURITY_PROTOCOL: "SASL_SSL",
            STRIMZI_SASL_ENABLED: "true",
            STRIMZI_SASL_MECHANISM: "scram-sha-512",
            STRIMZI_SASL_USERNAME: admin.username,
            STRIMZI_SASL_PASSWORD: admin.password,
            STRIMZI_TLS_TRUSTED_CERTS_SECRET_NAME: names.clusterCaCert,
          }
        : {
            STRIMZI_LABELS: `strimzi.io/cluster=${target.clusterName}`,
            STRIMZI_CA_CERT_NAME: names.clientsCaCert,
            STRIMZI_CA_KEY_NAME: names.clientsCaKey,
            STRIMZI_CLUSTER_CA_CERT_SECRET_NAME: names.clusterCaCert,
            STRIMZI_KAFKA_ADMIN_CLIENT_CONFIGURATION: [
              "security.protocol=SASL_SSL",
              "sasl.mechanism=SCRAM-SHA-512",
              `sasl.jaas.config=${jaas}`,
            ].join("\n"),
            // The instance's own principals: the User Operator deletes any SCRAM user or ACL
            // in Kafka that has no KafkaUser, and must never touch these.
            STRIMZI_IGNORED_USERS_PATTERN: `^(${admin.username}|kafka-node)$`,
          };
    const logFile = join(this.dir, `${op}.log`);
    // The User Operator logs its admin client configuration, password included: keep the
    // file private (it never goes to test or CI output).
    writeFileSync(logFile, "", { mode: 0o600, flag: "a" });
    chmodSync(logFile, 0o600);
    mkdirSync(join(this.dir, op), { recursive: true });
    const { pid } = spawnDetached(
      [
        this.marker(op),
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        ...jitFlags(localJit()),
        "-cp",
        `${toolchain.strimziLib}/*`,
        MAIN_CLASS[op],
      ],
      logFile,
      join(this.dir, op),
      join(toolchain.jdkHome, "bin", "java"),
      { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...common, ...specific },
    );
    this.log(`  ${op} started (pid ${pid}, log ${logFile})`);
    return pid;
  }
}
