import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Admin,
  AclOperations,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
} from "@platformatic/kafka";
import type { MirrorAclOperation, MirrorAclRule } from "../acl/mirror-maker.ts";
import type { ConnectorConfig, MirrorFlow } from "../charts/mirror-maker-plan.ts";
import { mirrorMakerJmxExporterConfigYaml } from "../charts/mirror-maker-metrics.ts";
import { alterScramUsers } from "./apply/scram.ts";
import type { LocalCluster } from "./cluster.ts";
import { generatePassword, type ScramCredential } from "./credentials.ts";
import { fetchKafkaJars } from "./fetch.ts";
import { jitFlags, jmxExporterAgentJar, kafkaClasspath, localJit } from "./java.ts";
import { platformaticOptions } from "./kafka-client-options.ts";
import { renderLog4j2Properties, writePrivateFile } from "./node-config.ts";
import { CACHE_DIR, KAFKA_VERSION, REPO_ROOT } from "./paths.ts";
import { LOOPBACK_HOST } from "./ports.ts";
import { isOurProcess, spawnDetached, stopProcesses } from "./supervisor.ts";

/**
 * MirrorMaker 2 in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker from Maven
 * Central's connect-mirror) between two local clusters, its properties rendered from the same
 * `MirrorFlow` as the KafkaMirrorMaker2 custom resource (charts/mirror-maker-plan.ts): the
 * policy, the topic and group patterns, every connector setting, the internal topics. Only the
 * addresses and credentials are local. The process is started and stopped by its pid.
 */

export const MIRROR_MAKER_POM = join(REPO_ROOT, "local", "maven", "mirror-maker", "pom.xml");
export const MIRROR_MAKER_LIBS_DIR = join(CACHE_DIR, `mirror-maker-${KAFKA_VERSION}`, "libs");
const STAMP = ".fetched";

function pomHash(): string {
  return createHash("sha256").update(readFileSync(MIRROR_MAKER_POM)).digest("hex");
}

/** Copies connect-mirror (local/maven/mirror-maker/pom.xml) into the cache; a no-op when there. */
export function fetchMirrorMakerJars(log: (line: string) => void = () => {}): { fetched: boolean } {
  fetchKafkaJars(log);
  const stamp = join(MIRROR_MAKER_LIBS_DIR, STAMP);
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === pomHash()) {
    return { fetched: false };
  }
  log(`fetching MirrorMaker 2 (connect-mirror ${KAFKA_VERSION}) with Maven`);
  rmSync(MIRROR_MAKER_LIBS_DIR, { recursive: true, force: true });
  mkdirSync(MIRROR_MAKER_LIBS_DIR, { recursive: true });
  const result = spawnSync(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      MIRROR_MAKER_POM,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${MIRROR_MAKER_LIBS_DIR}`,
      "-DincludeScope=runtime",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (result.error) throw new Error(`could not run mvn: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`mvn failed for ${MIRROR_MAKER_POM} (exit ${result.status})`);
  if (!existsSync(join(MIRROR_MAKER_LIBS_DIR, `connect-mirror-${KAFKA_VERSION}.jar`))) {
    throw new Error(`connect-mirror-${KAFKA_VERSION}.jar is not in ${MIRROR_MAKER_LIBS_DIR}`);
  }
  writeFileSync(stamp, `${pomHash()}\n`);
  return { fetched: true };
}

/** The Kafka jars plus what connect-mirror adds (an artifact already there is not added twice). */
export function mirrorMakerClasspath(): string {
  const artifact = (jar: string): string => jar.replace(/-[0-9][^-]*\.jar$/, "");
  const kafka = new Set(
    readdirSync(join(MIRROR_MAKER_LIBS_DIR, "..", "..", `kafka-${KAFKA_VERSION}`, "libs"))
      .filter((f) => f.endsWith(".jar"))
      .map(artifact),
  );
  const extra = readdirSync(MIRROR_MAKER_LIBS_DIR)
    .filter((f) => f.endsWith(".jar") && !kafka.has(artifact(f)))
    .sort()
    .map((f) => join(MIRROR_MAKER_LIBS_DIR, f));
  return [kafkaClasspath(), ...extra].join(":");
}

/** One end of a flow as the local process reaches it. */
export interface LocalEndpoint {
  readonly alias: string;
  readonly bootstrapServers: readonly string[];
  readonly caPemPath: string;
  readonly credential: ScramCredential;
}

function jaas(c: ScramCredential): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${c.username}" password="${c.password}";`;
}

function clusterProperties(e: LocalEndpoint): Record<string, string> {
  return {
    [`${e.alias}.bootstrap.servers`]: e.bootstrapServers.join(","),
    [`${e.alias}.security.protocol`]: "SASL_SSL",
    [`${e.alias}.sasl.mechanism`]: "SCRAM-SHA-512",
    [`${e.alias}.sasl.jaas.config`]: jaas(e.credential),
    [`${e.alias}.ssl.truststore.type`]: "PEM",
    [`${e.alias}.ssl.truststore.location`]: e.caPemPath,
  };
}

function prefixed(prefix: string, config: ConnectorConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [`${prefix}${k}`, String(v)]));
}

/**
 * The dedicated-mode properties of a set of flows between two clusters. Each end authenticates
 * as the flow's users: on the source the read-only `mirror-maker-<target>`, on the target
 * `mirror-maker` (the same users and ACLs the charts render). Flows not listed are disabled.
 */
export function renderMirrorMakerProperties(
  flows: readonly MirrorFlow[],
  endpoints: readonly LocalEndpoint[],
  credentialOf: (cluster: string, user: string) => ScramCredential,
): string {
  const aliases = endpoints.map((e) => e.alias);
  const props: Record<string, string> = {
    clusters: aliases.join(", "),
    // How the JVM finds Connect's plugins, not how it replicates: every plugin on the classpath
    // has a ServiceLoader manifest, so the default (hybrid_warn) reflection scan of the whole
    // classpath is wasted; it took 25 s and 12 s (two scans) of each start under load.
    "plugin.discovery": "service_load",
  };
  // A cluster is reached as the target user where it receives, else as the source user of
  // the flow it serves: one identity per cluster alias in dedicated mode.
  for (const e of endpoints) {
    const inbound = flows.find((f) => f.target === e.alias);
    const outbound = flows.find((f) => f.source === e.alias);
    const user = inbound?.targetUser ?? outbound?.sourceUser;
    if (user === undefined) continue;
    Object.assign(props, clusterProperties({ ...e, credential: credentialOf(e.alias, user) }));
  }
  for (const s of aliases) {
    for (const t of aliases) {
      if (s === t) continue;
      const flow = flows.find((f) => f.source === s && f.target === t);
      const key = `${s}->${t}`;
      props[`${key}.enabled`] = String(flow !== undefined);
      // A disabled pair would still get a heartbeat herder (MirrorMaker runs one for every pair
      // that emits heartbeats), writing to a cluster whose user may not.
      if (flow === undefined) {
        props[`${key}.emit.heartbeats.enabled`] = "false";
        continue;
      }
      props[`${key}.topics`] = flow.topicsPattern;
      props[`${key}.groups`] = flow.groupsPattern;
      Object.assign(
        props,
        prefixed(`${key}.`, {
          ...flow.sourceConnector,
          ...flow.checkpointConnector,
          ...flow.heartbeatConnector,
        }),
      );
      Object.assign(
        props,
        prefixed(`${t}.`, { ...flow.worker, "plugin.discovery": "service_load" }),
      );
    }
  }
  // The policy must be the same in every connector and in the driver (topic naming).
  const policy = flows[0]?.sourceConnector["replication.policy.class"];
  if (policy !== undefined) props["replication.policy.class"] = String(policy);
  const separator = flows[0]?.sourceConnector["replication.policy.separator"];
  if (separator !== undefined) props["replication.policy.separator"] = String(separator);
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v.replace(/\\/g, "\\\\")}`)
      .join("\n") + "\n"
  );
}

const OPERATION: Record<MirrorAclOperation, number> = {
  Read: AclOperations.READ,
  Write: AclOperations.WRITE,
  Create: AclOperations.CREATE,
  Describe: AclOperations.DESCRIBE,
  Alter: AclOperations.ALTER,
  DescribeConfigs: AclOperations.DESCRIBE_CONFIGS,
  AlterConfigs: AclOperations.ALTER_CONFIGS,
};

/** The rules as Kafka ACL bindings of `User:<user>`. */
export function mirrorKafkaAcls(user: string, rules: readonly MirrorAclRule[]): Acl[] {
  return rules.flatMap((r) =>
    r.operations.map(
      (op) =>
        ({
          resourceType: r.resource.type === "topic" ? ResourceTypes.TOPIC : ResourceTypes.GROUP,
          resourceName: r.resource.name,
          resourcePatternType:
            r.resource.patternType === "prefix"
              ? ResourcePatternTypes.PREFIXED
              : ResourcePatternTypes.LITERAL,
          principal: `User:${user}`,
          host: "*",
          operation: OPERATION[op],
          permissionType: AclPermissionTypes.ALLOW,
        }) as Acl,
    ),
  );
}

/** Where an instance keeps its MirrorMaker users' passwords (0600), beside its credentials. */
function mirrorCredentialsFile(cluster: LocalCluster): string {
  return join(cluster.dir, "mirror-maker-credentials.json");
}

/** The password of a MirrorMaker user of `cluster`, created on first use. */
export function mirrorCredential(cluster: LocalCluster, user: string): ScramCredential {
  const file = mirrorCredentialsFile(cluster);
  const store = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)
    : {};
  if (store[user] === undefined) {
    store[user] = generatePassword();
    writePrivateFile(file, `${JSON.stringify(store, null, 2)}\n`);
  }
  return { username: user, password: store[user] };
}

/**
 * Creates a MirrorMaker user on a cluster (SCRAM-SHA-512) with exactly the derived ACLs; an
 * existing ACL is kept, so this is safe to repeat. The ACLs go first: the credential's write
 * returns once every broker authenticates it, and a broker applies the metadata log in order,
 * so by then each broker also holds the ACLs.
 */
export async function applyMirrorUser(
  cluster: LocalCluster,
  user: string,
  rules: readonly MirrorAclRule[],
): Promise<void> {
  const target = {
    bootstrapServers: cluster.bootstrapServers,
    caPemPath: cluster.caPemPath,
    admin: cluster.adminCredentials,
  };
  const admin = new Admin({
    clientId: "kp-mirror-maker-apply",
    ...platformaticOptions(cluster.bootstrapServers, cluster.caPemPath, cluster.adminCredentials),
    retries: 3,
  });
  try {
    await admin.createAcls({ creations: mirrorKafkaAcls(user, rules) });
  } finally {
    await admin.close();
  }
  await alterScramUsers(target, [mirrorCredential(cluster, user)]);
}

/** Files of one MirrorMaker process. */
export interface MirrorMakerFiles {
  readonly dir: string;
  readonly properties: string;
  readonly log: string;
  readonly state: string;
}

/**
 * One dedicated-mode MirrorMaker 2 process between two local clusters, living in
 * `.cache/local/<name>/` (name = the pair's instances joined). Its JMX exporter serves the
 * same series as the KafkaMirrorMaker2's metrics ConfigMap on `metricsPort`.
 */
export class LocalMirrorMaker {
  readonly files: MirrorMakerFiles;

  constructor(
    readonly name: string,
    readonly metricsPort: number,
    private readonly log: (line: string) => void = () => {},
  ) {
    const dir = join(CACHE_DIR, "local", name);
    this.files = {
      dir,
      properties: join(dir, "mm2.properties"),
      log: join(dir, "mirror-maker.log"),
      state: join(dir, "mirror-maker.json"),
    };
  }

  /** The pid of the running process, if it is ours. */
  pid(): number | undefined {
    if (!existsSync(this.files.state)) return undefined;
    const { pid } = JSON.parse(readFileSync(this.files.state, "utf8")) as { pid: number };
    return isOurProcess(pid, this.files.properties) ? pid : undefined;
  }

  /**
   * The last ERROR line of the process's log (but its final "Stopping due to error") and the
   * deepest "Caused by" after it: MirrorMaker stops on some errors, such as a refused
   * credential at its start.
   */
  lastError(): string | undefined {
    if (!existsSync(this.files.log)) return undefined;
    const lines = readFileSync(this.files.log, "utf8").split("\n");
    const errorLine = /^\[[^\]]+\] ERROR /;
    const errors = lines.flatMap((l, i) => (errorLine.test(l) ? [i] : []));
    const at =
      errors.filter((i) => !/Stopping due to error/.test(lines[i]!)).at(-1) ?? errors.at(-1);
    if (at === undefined) return undefined;
    const cause = lines
      .slice(at + 1)
      .filter((l) => l.startsWith("Caused by: "))
      .at(-1);
    return [lines[at]!.replace(errorLine, ""), cause].filter(Boolean).join(" ");
  }

  /** The replication policy of the last start (recorded in the state file), if any. */
  lastPolicy(): string | undefined {
    if (!existsSync(this.files.state)) return undefined;
    return (JSON.parse(readFileSync(this.files.state, "utf8")) as { policy?: string }).policy;
  }

  /** Writes the properties (0600: they hold passwords) and starts the process unless running. */
  start(properties: string, policy?: string): number {
    mkdirSync(this.files.dir, { recursive: true, mode: 0o700 });
    writePrivateFile(this.files.properties, properties);
    const running = this.pid();
    if (running !== undefined) return running;
    fetchMirrorMakerJars(this.log);
    const log4j = join(this.files.dir, "log4j2.properties");
    writeFileSync(log4j, renderLog4j2Properties("INFO"));
    const exporter = join(this.files.dir, "jmx-exporter.yaml");
    writeFileSync(exporter, mirrorMakerJmxExporterConfigYaml());
    const { pid } = spawnDetached(
      [
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-XX:ParallelGCThreads=2",
        "-XX:CICompilerCount=2",
        ...jitFlags(localJit()),
        `-Dlog4j2.configurationFile=${log4j}`,
        `-javaagent:${jmxExporterAgentJar()}=${LOOPBACK_HOST}:${this.metricsPort}:${exporter}`,
        "-cp",
        mirrorMakerClasspath(),
        "org.apache.kafka.connect.mirror.MirrorMaker",
        this.files.properties,
      ],
      this.files.log,
      this.files.dir,
    );
    writeFileSync(
      this.files.state,
      `${JSON.stringify({ pid, startedAt: new Date().toISOString(), policy })}\n`,
    );
    this.log(`MirrorMaker 2 started (pid ${pid}, metrics on ${LOOPBACK_HOST}:${this.metricsPort})`);
    return pid;
  }

  /** Stops the process by its pid (SIGTERM, then SIGKILL after the grace). */
  async stop(graceMs = 20_000): Promise<number | undefined> {
    const pid = this.pid();
    if (pid === undefined) return undefined;
    await stopProcesses([{ pid, marker: this.files.properties }], graceMs);
    return pid;
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): number | undefined {
    const pid = this.pid();
    if (pid === undefined) return undefined;
    process.kill(pid, "SIGKILL");
    return pid;
  }
}

/** Where a flow's source connector resumes on one source partition: the next offset it copies. */
export interface SourceStartOffset {
  readonly topic: string;
  readonly partition: number;
  readonly next: bigint;
}

/** The name dedicated mode gives a flow's source connector (its offsets are keyed by it). */
export const SOURCE_CONNECTOR_NAME = "MirrorSourceConnector";

/**
 * The worker properties of the short-lived Kafka Connect worker that sets a flow's source
 * offsets: it shares the flow's offsets topic on the target (where dedicated mode keeps them)
 * and keeps its own config and status topics, removed afterwards.
 */
export function renderOffsetToolProperties(
  flow: MirrorFlow,
  target: LocalEndpoint,
  restPort: number,
): string {
  const client = {
    "bootstrap.servers": target.bootstrapServers.join(","),
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-512",
    "sasl.jaas.config": jaas(target.credential),
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": target.caPemPath,
  };
  const props: Record<string, string> = {
    ...client,
    ...prefixed("producer.", client),
    ...prefixed("consumer.", client),
    ...prefixed("admin.", client),
    "group.id": `${flow.internal.workerGroup}-offsets-tool`,
    "offset.storage.topic": flow.internal.offsets,
    "config.storage.topic": `mm2-offsets-tool-configs.${flow.source}.internal`,
    "status.storage.topic": `mm2-offsets-tool-status.${flow.source}.internal`,
    "config.storage.replication.factor": "3",
    "offset.storage.replication.factor": "3",
    "status.storage.replication.factor": "3",
    "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
    "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
    listeners: `http://${LOOPBACK_HOST}:${restPort}`,
    "plugin.discovery": "service_load",
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v.replace(/\\/g, "\\\\")}`)
      .join("\n") + "\n"
  );
}

/**
 * The PATCH /connectors/<name>/offsets body (KIP-875): MirrorSourceTask resumes at offset + 1.
 * An empty partition (next 0) is left out: Connect refuses a negative offset, and the task
 * starts such a partition at its beginning anyway (no stored offset: auto.offset.reset earliest).
 */
export function sourceOffsetsRequest(
  flow: MirrorFlow,
  offsets: readonly SourceStartOffset[],
): { offsets: { partition: Record<string, string | number>; offset: { offset: number } }[] } {
  return {
    offsets: offsets
      .filter((o) => o.next > 0n)
      .map((o) => ({
        // The key order of MirrorUtils.wrapPartition's HashMap: Connect compares serialized keys.
        partition: { cluster: flow.source, partition: o.partition, topic: o.topic },
        offset: { offset: Number(o.next) - 1 },
      })),
  };
}

async function rest(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://${LOOPBACK_HOST}:${port}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Sets where a flow's source connector resumes, before its MirrorMaker starts: the local
 * counterpart of a KafkaMirrorMaker2's `sourceConnector.alterOffsets`. Dedicated mode serves no
 * REST API (KIP-1144 proposes one), so a short-lived Kafka Connect worker (Kafka's own
 * ConnectDistributed) on the flow's offsets topic creates the connector under dedicated mode's
 * name in the STOPPED state and alters its offsets through Connect's offsets API (KIP-875);
 * then it stops and its config and status topics are deleted. The flow's MirrorMaker must not
 * run. `admin` deletes the tool's topics.
 */
export async function alterSourceOffsets(opts: {
  readonly flow: MirrorFlow;
  readonly source: LocalEndpoint;
  readonly target: LocalEndpoint;
  readonly offsets: readonly SourceStartOffset[];
  readonly restPort: number;
  readonly log?: (line: string) => void;
  readonly timeoutMs?: number;
}): Promise<void> {
  const { flow, restPort } = opts;
  const log = opts.log ?? (() => {});
  const dir = join(CACHE_DIR, "local", `mm2-offsets-tool-${flow.source}-to-${flow.target}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const properties = join(dir, "worker.properties");
  writePrivateFile(properties, renderOffsetToolProperties(flow, opts.target, restPort));
  const log4j = join(dir, "log4j2.properties");
  writeFileSync(log4j, renderLog4j2Properties("INFO"));
  fetchMirrorMakerJars(log);
  const { pid } = spawnDetached(
    [
      "-Xms128m",
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-XX:CICompilerCount=2",
      ...jitFlags(localJit()),
      `-Dlog4j2.configurationFile=${log4j}`,
      "-cp",
      mirrorMakerClasspath(),
      "org.apache.kafka.connect.cli.ConnectDistributed",
      properties,
    ],
    join(dir, "connect.log"),
    dir,
  );
  log(`Kafka Connect worker for ${flow.source}->${flow.target}'s offsets started (pid ${pid})`);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  // Connect answers 409 while the worker joins its group or rebalances: ask again.
  const until = async (
    what: string,
    call: () => Promise<{ status: number; text: string }>,
    ok: (status: number) => boolean,
  ): Promise<string> => {
    let last: string | undefined;
    for (;;) {
      try {
        const r = await call();
        if (ok(r.status)) return r.text;
        last = `${r.status} ${r.text}`;
        if (r.status !== 404 && r.status !== 409) break;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
      if (Date.now() > deadline || !isOurProcess(pid, properties)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${what}: ${last ?? "no answer"} (see ${join(dir, "connect.log")})`);
  };
  try {
    const name = SOURCE_CONNECTOR_NAME;
    await until(
      "Kafka Connect REST API",
      () => rest(restPort, "GET", "/connectors"),
      (s) => s === 200,
    );
    await until(
      `create ${name} stopped`,
      () =>
        rest(restPort, "POST", "/connectors", {
          name,
          config: {
            "connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector",
            "source.cluster.alias": flow.source,
            "target.cluster.alias": flow.target,
            "source.cluster.bootstrap.servers": opts.source.bootstrapServers.join(","),
            "target.cluster.bootstrap.servers": opts.target.bootstrapServers.join(","),
            topics: flow.topicsPattern,
            ...prefixed("", flow.sourceConnector),
          },
          initial_state: "STOPPED",
        }),
      (s) => s === 201,
    );
    const altered = await until(
      `alter ${name}'s offsets`,
      () =>
        rest(
          restPort,
          "PATCH",
          `/connectors/${name}/offsets`,
          sourceOffsetsRequest(flow, opts.offsets),
        ),
      (s) => s === 200,
    );
    log(`${flow.source}->${flow.target}: ${opts.offsets.length} source offsets set (${altered})`);
  } finally {
    await stopProcesses([{ pid, marker: properties }], 20_000);
    const admin = new Admin({
      clientId: "kp-mirror-maker-offsets-tool",
      ...platformaticOptions(
        opts.target.bootstrapServers,
        opts.target.caPemPath,
        opts.target.credential,
      ),
      retries: 3,
    });
    try {
      const topics = [
        `mm2-offsets-tool-configs.${flow.source}.internal`,
        `mm2-offsets-tool-status.${flow.source}.internal`,
      ];
      const existing = new Set(await admin.listTopics());
      const gone = topics.filter((t) => existing.has(t));
      if (gone.length > 0) await admin.deleteTopics({ topics: gone });
    } finally {
      await admin.close();
    }
  }
}
