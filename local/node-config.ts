import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_PRINCIPAL, type InstanceCertificates } from "./certificates.ts";
import type { ScramCredential } from "./credentials.ts";
import { PLATFORM_ADMIN_USER } from "../acl/services.ts";
import { LOOPBACK_HOST, allNodePorts, nodePorts, type NodeId } from "./ports.ts";

/** Files of one node inside the instance directory. */
export interface NodeFiles {
  readonly dir: string;
  readonly properties: string;
  readonly dataDir: string;
  readonly log: string;
}

export function nodeFiles(instanceDir: string, id: NodeId): NodeFiles {
  const dir = join(instanceDir, `node-${id}`);
  return {
    dir,
    properties: join(dir, "server.properties"),
    dataDir: join(dir, "data"),
    log: join(dir, "server.log"),
  };
}

function jaas(credential: ScramCredential): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${credential.username}" password="${credential.password}";`;
}

/**
 * server.properties of one combined broker+controller node. Client listener: SASL_SSL with
 * SCRAM-SHA-512 (also used between brokers, as the admin); controller listener: SSL with
 * mutual TLS (SCRAM cannot authenticate controllers, its credentials live in the metadata they
 * serve). StandardAuthorizer denies by default; the admin and the nodes are super users.
 */
export function renderServerProperties(opts: {
  id: NodeId;
  portBase: number;
  files: NodeFiles;
  certs: InstanceCertificates;
  admin: ScramCredential;
}): string {
  const me = nodePorts(opts.portBase, opts.id);
  const voters = allNodePorts(opts.portBase)
    .map((p) => `${p.id}@${LOOPBACK_HOST}:${p.controller}`)
    .join(",");
  const props: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": String(opts.id),
    "controller.quorum.voters": voters,
    listeners: `CLIENT://${LOOPBACK_HOST}:${me.client},CONTROLLER://${LOOPBACK_HOST}:${me.controller}`,
    "advertised.listeners": `CLIENT://${LOOPBACK_HOST}:${me.client}`,
    "listener.security.protocol.map": "CLIENT:SASL_SSL,CONTROLLER:SSL",
    "inter.broker.listener.name": "CLIENT",
    "controller.listener.names": "CONTROLLER",
    "sasl.enabled.mechanisms": "SCRAM-SHA-512",
    "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
    "listener.name.client.sasl.enabled.mechanisms": "SCRAM-SHA-512",
    "listener.name.client.scram-sha-512.sasl.jaas.config": jaas(opts.admin),
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": opts.certs.nodeKeystorePem,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": opts.certs.caPem,
    "listener.name.controller.ssl.client.auth": "required",
    "ssl.principal.mapping.rules": "RULE:^CN=([a-z0-9-]+)(,.*)?$/$1/,DEFAULT",
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "allow.everyone.if.no.acl.found": "false",
    // The bootstrap admin, the nodes, and the stacks' super user (the Kafka resource's
    // superUsers), which Strimzi's User Operator manages where a control plane runs.
    "super.users": [...new Set([opts.admin.username, PLATFORM_ADMIN_USER, NODE_PRINCIPAL])]
      .map((u) => `User:${u}`)
      .join(";"),
    "log.dirs": opts.files.dataDir,
    "auto.create.topics.enable": "false",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "num.partitions": "3",
    "offsets.topic.replication.factor": "3",
    "offsets.topic.num.partitions": "12",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "transaction.state.log.num.partitions": "12",
    "unclean.leader.election.enable": "false",
    "group.initial.rebalance.delay.ms": "0",
    // Small machine (2 cores shared by several clusters): fewer threads than the defaults.
    "num.network.threads": "2",
    "num.io.threads": "4",
    "num.replica.fetchers": "1",
    "background.threads": "4",
    "log.cleaner.threads": "1",
    "num.recovery.threads.per.data.dir": "1",
    // Fail over quickly when a test stops a node.
    "replica.lag.time.max.ms": "10000",
    "broker.session.timeout.ms": "6000",
    "broker.heartbeat.interval.ms": "1000",
    "controlled.shutdown.enable": "true",
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v.replace(/\\/g, "\\\\")}`)
      .join("\n") + "\n"
  );
}

/** Log4j 2 config: node logs go to stdout, which the supervisor sends to the node's log file. */
export function renderLog4j2Properties(level: "INFO" | "WARN"): string {
  return [
    "status = warn",
    "appender.out.type = Console",
    "appender.out.name = OUT",
    "appender.out.target = SYSTEM_ERR",
    "appender.out.layout.type = PatternLayout",
    "appender.out.layout.pattern = [%d] %p %m (%c)%n",
    `rootLogger.level = ${level}`,
    "rootLogger.appenderRefs = out",
    "rootLogger.appenderRef.out.ref = OUT",
    "logger.authorizer.name = kafka.authorizer.logger",
    "logger.authorizer.level = WARN",
    "logger.state.name = state.change.logger",
    "logger.state.level = WARN",
    "",
  ].join("\n");
}

/** Java client properties (SASL_SSL as `credential`), for Kafka's command-line tools and perf tests. */
export function renderClientProperties(credential: ScramCredential, caPem: string): string {
  return [
    "security.protocol=SASL_SSL",
    "sasl.mechanism=SCRAM-SHA-512",
    `sasl.jaas.config=${jaas(credential)}`,
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${caPem}`,
    "",
  ].join("\n");
}

export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}
