import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { applyCatalog } from "./apply/apply.ts";
import { intOption, progress, runTool, stringOption, type Verb } from "./cli-support.ts";
import { credentialsFile } from "./credentials.ts";
import { fetchKafkaJars } from "./fetch.ts";
import { MIRROR_MAKER_LIBS_DIR, fetchMirrorMakerJars } from "./mirror-maker.ts";
import {
  DEFAULT_DEV_INSTANCE,
  DEFAULT_DEV_PORT_BASE,
  clusterFromOptions,
  instanceOptions,
} from "./instance-options.ts";
import { nodeFiles } from "./node-config.ts";
import { KAFKA_LIBS_DIR, KAFKA_VERSION } from "./paths.ts";
import { NODE_IDS, isNodeId } from "./ports.ts";
import { formatStatus } from "./status-report.ts";
import { ControlPlane, LOCAL_CONTEXT } from "./control-plane/control-plane.ts";
import { StrimziOperators } from "./control-plane/strimzi-operators.ts";
import { ensureToolchain, readyToolchain } from "./control-plane/toolchain.ts";
import { LOCAL_BOOTSTRAP_ADMIN, LocalCluster } from "./cluster.ts";
import { APICURIO_DIR, APICURIO_VERSION, LocalRegistry, fetchApicurio } from "./registry.ts";
import { loadStack } from "../infra/config/load.ts";

const TOOL = "npm run local --";

const stackOption = { stack: { type: "string", short: "s", default: "dev" } } as const;

function controlPlaneOf(cluster: LocalCluster): ControlPlane {
  return new ControlPlane({
    instance: cluster.instance,
    portBase: cluster.portBase,
    log: progress,
  });
}

/** Stops the instance's Strimzi operators and control plane (each by pid), if any run. */
async function stopControlPlane(cluster: LocalCluster): Promise<void> {
  const plane = controlPlaneOf(cluster);
  const operators = new StrimziOperators(cluster, plane);
  const ops = await operators.stop();
  if (ops.length > 0) progress(`stopped Strimzi's operators (pids ${ops.join(", ")})`);
  const stopped = await plane.stop();
  if (stopped.length > 0) progress(`stopped the control plane (pids ${stopped.join(", ")})`);
}

const verbs: Verb[] = [
  {
    name: "up",
    summary:
      "Start the local 3-node Kafka cluster (fetching jars, certificates, storage as needed) and apply the catalog.",
    usage:
      "[--instance dev] [--port-base 59000] [--stack dev] [--fresh] [--skip-apply] [--control-plane] [--registry]",
    details:
      "Waits until every broker is registered, the KRaft quorum has a leader and no partition is under-replicated.\n--fresh stops the instance and deletes its data first. Passwords go to .cache/local/<instance>/credentials.json (0600).\n" +
      "--control-plane also starts a real Kubernetes control plane on loopback (etcd, kube-apiserver, kube-controller-manager;\n" +
      "no kubelet, so no pod runs), builds its toolchain first if missing (about 45 minutes once, cached after), and\n" +
      "skips the catalog apply: with a control plane, `pulumi up --stack local` and Strimzi's operators\n" +
      "(`npm run local -- operators`) own topics, users and ACLs. See docs/control-plane.md.\n" +
      "--registry also starts Apicurio Registry (fetched from Maven Central into .cache, run with a JDK 21+) against\n" +
      "the instance as its user schema-registry, API on loopback at port base + 30, health and metrics at + 31.\n" +
      "The stack must enable schemaRegistry (its user and topics come from the apply). See docs/schema-registry.md.",
    options: {
      ...instanceOptions,
      ...stackOption,
      fresh: { type: "boolean" },
      "skip-apply": { type: "boolean" },
      "control-plane": { type: "boolean" },
      registry: { type: "boolean" },
      timeout: { type: "string", default: "180" },
    },
    run: async (values) => {
      const withPlane = values["control-plane"] === true;
      // Beside a control plane the stack's KafkaUser platform-admin belongs to Strimzi's User
      // Operator, so the instance's own bootstrap admin takes another name.
      const cluster = withPlane
        ? new LocalCluster({
            instance: stringOption(values, "instance") ?? DEFAULT_DEV_INSTANCE,
            portBase: intOption(values, "port-base", DEFAULT_DEV_PORT_BASE),
            adminUsername: LOCAL_BOOTSTRAP_ADMIN,
            log: progress,
          })
        : clusterFromOptions(values);
      if (
        withPlane &&
        values.fresh !== true &&
        cluster.hasCredentials() &&
        cluster.adminCredentials.username !== LOCAL_BOOTSTRAP_ADMIN
      ) {
        throw new Error(
          `instance "${cluster.instance}" was created without a control plane (its admin is ${cluster.adminCredentials.username}); ` +
            "add --fresh to re-create it, or use another --instance",
        );
      }
      // The toolchain first: a missing piece fails (or is built) before anything starts.
      const toolchain = withPlane
        ? await ensureToolchain({ build: true, log: progress })
        : undefined;
      // --fresh deletes the instance's folder, the control plane's state included: stop it first.
      if (values.fresh === true) await stopControlPlane(cluster);
      const started = Date.now();
      progress(
        `starting instance "${cluster.instance}" (Apache Kafka ${KAFKA_VERSION}, 3 nodes, port base ${cluster.portBase})`,
      );
      await cluster.start({
        fresh: values.fresh === true,
        timeoutMs: intOption(values, "timeout", 180) * 1000,
      });
      progress(`healthy after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      if (values["skip-apply"] !== true && !withPlane) {
        await applyCatalog(cluster, {
          stack: stringOption(values, "stack") ?? "dev",
          log: progress,
        });
      }
      progress("");
      progress(`bootstrap servers: ${cluster.bootstrapServers.join(",")}`);
      progress(`CA certificate:    ${cluster.caPemPath}`);
      progress(
        `credentials:       ${credentialsFile(cluster.dir)} (admin: ${cluster.adminCredentials.username})`,
      );
      progress(`Java tool config:  ${cluster.adminClientPropertiesPath}`);
      if (values.registry === true) {
        const registry = new LocalRegistry(cluster);
        const t0 = Date.now();
        progress("");
        progress(`starting the Schema Registry (API ${registry.url})`);
        await registry.start({ log: progress });
        progress(`Schema Registry ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        progress(`schema registry:   ${registry.url}`);
        progress(`next:              npm run schemas -- register --registry ${registry.url}`);
      }
      if (toolchain !== undefined) {
        const plane = controlPlaneOf(cluster);
        const t0 = Date.now();
        progress("");
        progress(`starting the control plane (API server ${plane.server})`);
        await plane.start(toolchain);
        plane.applyMonitoringPrerequisites(toolchain);
        progress(`control plane ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        progress(`kubeconfig:        ${plane.kubeconfigPath} (context ${LOCAL_CONTEXT})`);
        progress(
          `next:              export KUBECONFIG=${plane.kubeconfigPath} PATH=${toolchain.binDir}:$PATH`,
        );
        progress(
          `                   pulumi up --stack local   (docs/control-plane.md), then npm run local -- operators`,
        );
      }
      return 0;
    },
  },
  {
    name: "down",
    summary: "Stop every node of the instance by pid and wait until they have exited.",
    usage: "[--instance dev] [--purge]",
    details:
      "Also stops the instance's Schema Registry, control plane and Strimzi operators, if running.\n--purge also deletes the instance's data, certificates, credentials and control-plane state.",
    options: { ...instanceOptions, purge: { type: "boolean" } },
    run: async (values) => {
      const cluster = clusterFromOptions(values);
      const registryPid = await new LocalRegistry(cluster).stop();
      if (registryPid !== undefined) progress(`stopped the Schema Registry (pid ${registryPid})`);
      await stopControlPlane(cluster);
      const before = cluster.runningNodes();
      if (before.length === 0) progress(`instance "${cluster.instance}" is not running`);
      await cluster.stop();
      const left = cluster.runningNodes();
      if (before.length > 0)
        progress(`stopped ${before.length} node(s) (pids ${before.map((n) => n.pid).join(", ")})`);
      if (values.purge === true) {
        rmSync(cluster.dir, { recursive: true, force: true });
        progress(`deleted ${cluster.dir}`);
      }
      return left.length === 0 ? 0 : 1;
    },
  },
  {
    name: "status",
    summary:
      "Show the nodes, registered brokers, the controller quorum (leader, voters, lag) and under-replicated partitions.",
    usage: "[--instance dev]",
    options: { ...instanceOptions },
    run: async (values) => {
      const cluster = clusterFromOptions(values, () => {});
      const plane = controlPlaneOf(cluster);
      const planeLines = (): string[] => {
        const running = plane.runningComponents();
        if (Object.values(running).every((p) => p === undefined)) return [];
        const st = plane.status(readyToolchain());
        const operators = new StrimziOperators(cluster, plane).running();
        return [
          `control plane: ${st.version !== undefined ? `ready, Kubernetes ${st.version}` : `NOT READY (${st.error ?? "unknown"})`} at ${st.server}`,
          ...Object.entries(running).map(
            ([c, pid]) =>
              `  ${c.padEnd(24)} ${pid === undefined ? "stopped" : `running pid ${pid}`}`,
          ),
          ...Object.entries(operators).map(
            ([c, pid]) =>
              `  ${`strimzi ${c}`.padEnd(24)} ${pid === undefined ? "stopped" : `running pid ${pid}`}`,
          ),
          `  kubeconfig ${st.kubeconfig}`,
        ];
      };
      const registry = new LocalRegistry(cluster);
      const registryPid = registry.running();
      const registryLines = async (): Promise<string[]> =>
        registryPid === undefined
          ? ["schema registry: stopped (npm run local -- up --registry)"]
          : [
              `schema registry: ${(await registry.ready()) ? "ready" : "NOT READY"}, pid ${registryPid}, ${registry.url} (log ${registry.logFile})`,
            ];
      if (!cluster.isRunning()) {
        [...formatStatus(cluster, undefined), ...(await registryLines()), ...planeLines()].forEach(
          progress,
        );
        return 3;
      }
      const probe = await cluster
        .probe()
        .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      [...formatStatus(cluster, probe), ...(await registryLines()), ...planeLines()].forEach(
        progress,
      );
      return probe instanceof Error ||
        probe.underReplicated.length > 0 ||
        probe.brokers.length < NODE_IDS.length
        ? 1
        : 0;
    },
  },
  {
    name: "apply",
    summary:
      "Reconcile the catalog (topics and configs, SCRAM users, ACLs) with the running cluster.",
    usage: "[--instance dev] [--stack dev] [--dry-run] [--allow-destructive]",
    details:
      "Prints the plan (+ create, ~ update, - delete) first. --dry-run stops there. Deleting a topic, cutting retention\n" +
      "or turning on compaction is refused unless --allow-destructive is given; fewer partitions or another replication\n" +
      "factor are always refused (Kafka cannot shrink partitions). Only topics of the catalog's families and the catalog's\n" +
      "users are managed; other topics and principals are left alone. Passwords are generated into the 0600 credentials file.",
    options: {
      ...instanceOptions,
      ...stackOption,
      "dry-run": { type: "boolean" },
      "allow-destructive": { type: "boolean" },
    },
    run: async (values) => {
      const cluster = clusterFromOptions(values);
      if (!cluster.isRunning())
        throw new Error(`instance "${cluster.instance}" is not running (npm run local -- up)`);
      await applyCatalog(cluster, {
        stack: stringOption(values, "stack") ?? "dev",
        dryRun: values["dry-run"] === true,
        allowDestructive: values["allow-destructive"] === true,
        log: progress,
      });
      return 0;
    },
  },
  {
    name: "operators",
    summary:
      "Start Strimzi 1.2.0's Topic and User Operators against the instance's control plane and Kafka (before or beside pulumi up --stack local).",
    usage: "[--instance dev] [--stack local] [--wait 600] [--stop]",
    details:
      "They reconcile the stack's KafkaTopics and KafkaUsers into the instance's Kafka over SASL_SSL (SCRAM-SHA-512),\n" +
      "as the entity operator would, after writing the CA Secrets the Cluster Operator would write. Started before or\n" +
      "beside `pulumi up --stack local`, it waits up to --wait seconds for the namespace and the Strimzi CRDs.\n" +
      "The namespace and cluster name come from Pulumi.<stack>.yaml. Their health\n" +
      "ports (8080, 8081) are fixed in Strimzi 1.2.0, so one pair runs per machine. --stop stops them.",
    options: {
      ...instanceOptions,
      stack: { type: "string", short: "s", default: "local" },
      wait: { type: "string", default: "600" },
      stop: { type: "boolean" },
    },
    run: async (values) => {
      const cluster = clusterFromOptions(values);
      const plane = controlPlaneOf(cluster);
      const operators = new StrimziOperators(cluster, plane, progress);
      if (values.stop === true) {
        const stopped = await operators.stop();
        progress(stopped.length > 0 ? `stopped pids ${stopped.join(", ")}` : "not running");
        return 0;
      }
      const toolchain = await ensureToolchain({ build: false, log: progress });
      const { config } = loadStack(stringOption(values, "stack") ?? "local");
      const t0 = Date.now();
      await operators.start(
        toolchain,
        { namespace: config.kubernetes.namespace, clusterName: config.cluster.name },
        { waitForPrerequisitesMs: intOption(values, "wait", 600) * 1000 },
      );
      progress(
        `Topic and User Operators ready after ${((Date.now() - t0) / 1000).toFixed(1)}s (logs in ${operators.dir})`,
      );
      return 0;
    },
  },
  {
    name: "logs",
    summary: "Print (or follow) the nodes' server logs.",
    usage: "[--instance dev] [--node 0] [--lines 50] [--follow]",
    options: {
      ...instanceOptions,
      node: { type: "string", short: "n" },
      lines: { type: "string", default: "50" },
      follow: { type: "boolean", short: "f" },
    },
    run: async (values) => {
      const cluster = clusterFromOptions(values, () => {});
      const only = stringOption(values, "node");
      const ids = only === undefined ? [...NODE_IDS] : [Number(only)];
      if (!ids.every(isNodeId)) throw new Error(`--node must be one of ${NODE_IDS.join(", ")}`);
      const files = ids.map((id) => nodeFiles(cluster.dir, id).log).filter((f) => existsSync(f));
      if (files.length === 0)
        throw new Error(`no logs under ${cluster.dir}; was the instance started?`);
      const args = [
        "-n",
        String(intOption(values, "lines", 50)),
        ...(values.follow === true ? ["-F"] : []),
        ...files,
      ];
      return new Promise<number>((resolve, reject) => {
        const tail = spawn("tail", args, { stdio: "inherit" });
        tail.on("error", reject);
        tail.on("close", (code) => resolve(code ?? 0));
      });
    },
  },
  {
    name: "fetch",
    summary: `Download what the local tools run into .cache with Maven: the pinned Apache Kafka ${KAFKA_VERSION} jars (local/maven/pom.xml), MirrorMaker 2 (connect-mirror) and Apicurio Registry ${APICURIO_VERSION}; a no-op for what is present.`,
    usage: "",
    details:
      "npm test runs this in its preflight, one download at a time, before its lanes start clusters side by side. Maven's repository stays in ~/.m2, so re-runs on one machine download nothing.",
    options: {},
    run: (): Promise<number> => {
      if (!fetchKafkaJars(progress).fetched) {
        progress(`Kafka ${KAFKA_VERSION} jars already in ${KAFKA_LIBS_DIR}`);
      }
      if (!fetchMirrorMakerJars(progress).fetched) {
        progress(`MirrorMaker 2 jars already in ${MIRROR_MAKER_LIBS_DIR}`);
      }
      if (!fetchApicurio(progress).fetched) {
        progress(`Apicurio Registry ${APICURIO_VERSION} already in ${APICURIO_DIR}`);
      }
      return Promise.resolve(0);
    },
  },
];

const code = await runTool(
  TOOL,
  "The local Apache Kafka cluster: 3 KRaft nodes on loopback with SASL_SSL/SCRAM-SHA-512 and ACLs from the catalog.",
  verbs,
  process.argv.slice(2),
);
process.exit(code);
