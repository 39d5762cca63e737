import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SCHEMA_REGISTRY_USER } from "../acl/schema-registry.ts";
import { apicurioKafkaSqlSettings, scramJaasConfig } from "../charts/schema-registry-chart.ts";
import { SUPPORTED_SCHEMA_REGISTRY_VERSIONS } from "../infra/config/schema.ts";
import type { LocalCluster } from "./cluster.ts";
import { readCredentials } from "./credentials.ts";
import { CACHE_DIR } from "./paths.ts";
import { LOOPBACK_HOST } from "./ports.ts";
import { isOurProcess, spawnDetached, stopProcesses } from "./supervisor.ts";

/**
 * Apicurio Registry beside a local cluster (docs/schema-registry.md): the runnable `all`
 * package from Maven Central, cached in `.cache/`, run with a JDK 21+ against the instance over
 * TLS + SCRAM as the derived user `schema-registry` (its password is the one `apply` created),
 * with KafkaSQL storage in the catalog's component topics. Both its ports are bound to loopback:
 * the API at port base + 30, Quarkus's management interface (health, metrics) at base + 31,
 * which otherwise listens on 0.0.0.0:9000. Stopped by pid, never by name.
 */
export const APICURIO_VERSION = SUPPORTED_SCHEMA_REGISTRY_VERSIONS[0];
export const APICURIO_ARTIFACT = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;
export const APICURIO_DIR = join(CACHE_DIR, `apicurio-registry-${APICURIO_VERSION}`);
const RUN_JAR = "quarkus-run.jar";
const MIN_JAVA = 21;

export function registryPorts(portBase: number): { http: number; management: number } {
  return { http: portBase + 30, management: portBase + 31 };
}

/** Downloads (Maven) and unpacks the registry into `.cache/`; a no-op when it is there. */
export function fetchApicurio(log: (line: string) => void = () => {}): { fetched: boolean } {
  if (existsSync(join(APICURIO_DIR, RUN_JAR))) return { fetched: false };
  log(`fetching Apicurio Registry ${APICURIO_VERSION} with Maven (${APICURIO_ARTIFACT}, ~160 MB)`);
  const get = spawnSync(
    "mvn",
    ["-q", "-B", "dependency:get", `-Dartifact=${APICURIO_ARTIFACT}`, "-Dtransitive=false"],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (get.error) throw new Error(`could not run mvn (is Maven installed?): ${get.error.message}`);
  if (get.status !== 0)
    throw new Error(`mvn dependency:get ${APICURIO_ARTIFACT} failed (exit ${get.status})`);
  const archive = join(
    process.env.KP_MAVEN_REPO ?? join(homedir(), ".m2", "repository"),
    "io/apicurio/apicurio-registry-app",
    APICURIO_VERSION,
    `apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz`,
  );
  if (!existsSync(archive)) throw new Error(`mvn finished but ${archive} is missing`);
  const partial = `${APICURIO_DIR}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const untar = spawnSync("tar", ["xzf", archive, "-C", partial], { stdio: "inherit" });
  if (untar.status !== 0 || !existsSync(join(partial, RUN_JAR))) {
    throw new Error(`unpacking ${archive} did not give ${RUN_JAR}`);
  }
  rmSync(APICURIO_DIR, { recursive: true, force: true });
  spawnSync("mv", [partial, APICURIO_DIR]);
  log(`unpacked into ${APICURIO_DIR}`);
  return { fetched: true };
}

function javaMajor(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, "release"), "utf8");
    const v = /^JAVA_VERSION="(\d+)/m.exec(release)?.[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

/**
 * A `java` of JDK 21 or later (the registry's classes are version 65): KP_JAVA21_HOME, then
 * JAVA_HOME, then the newest JDK under /usr/lib/jvm. The `java` on PATH is often 17.
 */
export function java21(): string {
  const candidates = [
    process.env.KP_JAVA21_HOME,
    process.env.JAVA_HOME,
    ...(existsSync("/usr/lib/jvm")
      ? readdirSync("/usr/lib/jvm")
          .map((d) => join("/usr/lib/jvm", d))
          .sort()
          .reverse()
      : []),
  ].filter((h): h is string => h !== undefined && h !== "");
  for (const home of candidates) {
    const major = javaMajor(home);
    if (major !== undefined && major >= MIN_JAVA && existsSync(join(home, "bin", "java"))) {
      return join(home, "bin", "java");
    }
  }
  throw new Error(
    `Apicurio Registry ${APICURIO_VERSION} needs a JDK ${MIN_JAVA}+; none found in KP_JAVA21_HOME, JAVA_HOME or /usr/lib/jvm (checked: ${candidates.join(", ") || "none"}). Install one (such as temurin-25-jdk) or set KP_JAVA21_HOME.`,
  );
}

interface RegistryState {
  readonly pid: number;
  readonly marker: string;
  readonly http: number;
  readonly management: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LocalRegistry {
  readonly dir: string;
  readonly ports: { http: number; management: number };

  constructor(private readonly cluster: LocalCluster) {
    this.dir = join(cluster.dir, "schema-registry");
    this.ports = registryPorts(cluster.portBase);
  }

  /** The Confluent-compatible API clients use. */
  get url(): string {
    return `http://${LOOPBACK_HOST}:${this.ports.http}/apis/ccompat/v7`;
  }

  get logFile(): string {
    return join(this.dir, "registry.log");
  }

  private get stateFile(): string {
    return join(this.dir, "registry.json");
  }

  private get marker(): string {
    return `-Dkafka-platform.registry=${this.dir}`;
  }

  private state(): RegistryState | undefined {
    if (!existsSync(this.stateFile)) return undefined;
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as RegistryState;
  }

  /** The registry's pid when it runs. */
  running(): number | undefined {
    const s = this.state();
    return s !== undefined && isOurProcess(s.pid, s.marker) ? s.pid : undefined;
  }

  /** True once the API answers and KafkaSQL has replayed the journal (Quarkus readiness). */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    try {
      const r = await fetch(`http://${LOOPBACK_HOST}:${this.ports.management}/health/ready`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      return r.ok;
    } catch {
      return false;
    }
  }

  /**
   * Starts the registry (fetching it first) and waits until it is ready; a no-op when it
   * already runs. Needs the instance running with the registry's user applied.
   */
  async start(options: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<number> {
    const log = options.log ?? (() => {});
    const existing = this.running();
    if (existing !== undefined) return existing;
    fetchApicurio(log);
    const java = java21();
    if (readCredentials(this.cluster.dir)?.services[SCHEMA_REGISTRY_USER] === undefined) {
      throw new Error(
        `instance "${this.cluster.instance}" has no user ${SCHEMA_REGISTRY_USER}: apply a stack with schemaRegistry.enabled (npm run local -- apply --stack dev)`,
      );
    }
    const credential = this.cluster.serviceCredentials(SCHEMA_REGISTRY_USER);
    mkdirSync(this.dir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...apicurioKafkaSqlSettings(),
      APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: this.cluster.bootstrapServers.join(","),
      APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG: scramJaasConfig(
        credential.username,
        credential.password,
      ),
      APICURIO_KAFKA_COMMON_SSL_TRUSTSTORE_LOCATION: this.cluster.caPemPath,
      QUARKUS_HTTP_HOST: LOOPBACK_HOST,
      QUARKUS_HTTP_PORT: String(this.ports.http),
      QUARKUS_MANAGEMENT_HOST: LOOPBACK_HOST,
      QUARKUS_MANAGEMENT_PORT: String(this.ports.management),
      QUARKUS_LOG_CONSOLE_JSON: "false",
    };
    const spawned = spawnDetached(
      [
        this.marker,
        "-Xms128m",
        "-Xmx512m",
        // A local, short-lived registry: C1 only and the serial collector start it faster.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xshare:auto",
        "-jar",
        join(APICURIO_DIR, RUN_JAR),
      ],
      this.logFile,
      this.dir,
      java,
      env,
    );
    const state: RegistryState = { pid: spawned.pid, marker: this.marker, ...this.ports };
    writeFileSync(this.stateFile, `${JSON.stringify(state)}\n`);
    log(`started Apicurio Registry ${APICURIO_VERSION} (pid ${spawned.pid}), log ${this.logFile}`);
    const deadline = Date.now() + (options.timeoutMs ?? 90_000);
    while (Date.now() < deadline) {
      if (await this.ready()) return spawned.pid;
      if (!isOurProcess(spawned.pid, this.marker)) {
        throw new Error(`the registry exited during start-up; see ${this.logFile}`);
      }
      await sleep(500);
    }
    await this.stop();
    throw new Error(
      `the registry was not ready within ${options.timeoutMs ?? 90_000} ms (stopped it); see ${this.logFile}`,
    );
  }

  /** Stops the registry by pid; returns the pid stopped, if it ran. */
  async stop(): Promise<number | undefined> {
    const s = this.state();
    if (s === undefined) return undefined;
    const pid = isOurProcess(s.pid, s.marker) ? s.pid : undefined;
    await stopProcesses([{ pid: s.pid, marker: s.marker }], 15_000);
    rmSync(this.stateFile, { force: true });
    return pid;
  }
}
