import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformModel } from "../charts/model.ts";
import { schemaRegistryUrl } from "../charts/schema-registry-chart.ts";
import { buildStack } from "../charts/stack-build.ts";
import { KafkaProviderAccess } from "./components/kafka-provider-access.ts";
import { PlatformNamespaces } from "./components/namespaces.ts";
import {
  ServiceCredentials,
  ServicePasswords,
  credentialArgs,
  serviceSecretRefs,
} from "./components/service-credentials.ts";
import { StrimziCrds } from "./components/strimzi-crds.ts";
import { StrimziKafkaCluster } from "./components/strimzi-kafka-cluster.ts";
import { StrimziOperator } from "./components/strimzi-operator.ts";
import { planManifestGroups } from "./manifest-plan.ts";
import { dataProtection } from "./protection.ts";
import { createKubernetesProvider } from "./providers/kubernetes-provider.ts";
import { strimziBootstrapAddresses } from "./stack-outputs.ts";
import type { StackSettings } from "./stack-settings.ts";
import { REPO_ROOT } from "./config/load.ts";
import { loadStrimziCrds, strimziRelease } from "./strimzi-release.ts";

/** The stack outputs. Plain values only: no secret is ever exported. */
export interface PlatformOutputs {
  /** Namespace of the Kafka cluster and of every credentials Secret. */
  readonly namespace: string;
  readonly kafkaVersion: string;
  readonly topicManagement: "strimzi" | "kafka-provider";
  /** Bootstrap address(es) by listener name. */
  readonly bootstrapServers: Readonly<Record<string, string>>;
  /**
   * Service name to the Secret it mounts. Strimzi: `<service namespace>/kafka-<service>` with
   * `username`, `password`, `ca.crt`, `bootstrap.servers`; kafka-provider: the Secret's name in
   * the cluster namespace (`password`, `sasl.jaas.config`).
   */
  readonly credentialSecrets: Readonly<Record<string, string>>;
  /** Whether the data-bearing resources carry `protect: true`. */
  readonly dataProtected: boolean;
}

/** The operator chart: the release's OCI chart, or a folder relative to the repository root. */
export function operatorChart(chart: string | undefined): string {
  if (chart === undefined) return strimziRelease.helmChart;
  return isAbsolute(chart) ? chart : resolve(REPO_ROOT, chart);
}

const MANAGED_BY = {
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "kafka-platform",
};

/**
 * The whole program for one stack. Everything it creates comes from the validated stack config
 * and the platform model (catalog + derived access): Strimzi CRDs, then the operator, then the
 * rendered charts in ordered groups; or, with `topicManagement: kafka-provider`, topics, ACLs
 * and SCRAM credentials through @pulumi/kafka.
 */
export function definePlatform(settings: StackSettings): PlatformOutputs {
  const { config } = settings;
  // The render command's checked path (charts/stack-build.ts): catalog lock, CRD schemas and
  // the secret guard refuse the stack here, before any resource is registered.
  const built = buildStack(settings);
  const model: PlatformModel = built.model;
  const protection = dataProtection(config);
  const kubernetes = createKubernetesProvider("kubernetes", {
    config,
    ...(settings.secrets.kubeconfig !== undefined
      ? { kubeconfig: settings.secrets.kubeconfig }
      : {}),
  });
  const onCluster: pulumi.ComponentResourceOptions = { providers: [kubernetes] };
  const common = {
    namespace: config.kubernetes.namespace,
    kafkaVersion: config.cluster.kafkaVersion,
    topicManagement: config.topicManagement,
    dataProtected: protection.cluster,
  };

  if (config.topicManagement === "kafka-provider") {
    const kafkaProvider = config.kafkaProvider;
    const adminPassword = settings.secrets.kafkaProviderAdminPassword;
    // readStackSettings and the schema guarantee both; this keeps the types honest.
    if (kafkaProvider === undefined || adminPassword === undefined) {
      throw new Error(
        `${settings.file}: kafka-provider needs kafkaProvider and its admin password`,
      );
    }
    const namespaces = new PlatformNamespaces(
      "namespaces",
      {
        clusterNamespace: config.kubernetes.namespace,
        protectClusterNamespace: protection.clusterNamespace,
        labels: MANAGED_BY,
      },
      onCluster,
    );
    const access = new KafkaProviderAccess(
      "kafka-access",
      {
        topics: model.topics,
        access: model.access,
        bootstrapServers: kafkaProvider.bootstrapServers,
        tlsEnabled: kafkaProvider.tlsEnabled,
        ...(kafkaProvider.caCertFile !== undefined
          ? { caCert: readFileSync(resolve(REPO_ROOT, kafkaProvider.caCertFile), "utf8") }
          : {}),
        adminUsername: kafkaProvider.adminUsername,
        adminPassword,
        credentialsNamespace: config.kubernetes.namespace,
        kubernetesProvider: kubernetes,
        protectTopics: protection.topics,
      },
      { dependsOn: namespaces.all() },
    );
    return {
      ...common,
      bootstrapServers: { bootstrap: kafkaProvider.bootstrapServers.join(",") },
      credentialSecrets: access.credentialSecretNames,
    };
  }

  const namespaces = new PlatformNamespaces(
    "namespaces",
    {
      operatorNamespace: config.operator.namespace,
      clusterNamespace: config.kubernetes.namespace,
      protectClusterNamespace: protection.clusterNamespace,
      labels: MANAGED_BY,
    },
    onCluster,
  );
  const crds = new StrimziCrds(
    "strimzi-crds",
    { crds: loadStrimziCrds(), version: strimziRelease.version },
    { ...onCluster, protect: protection.crds },
  );
  const operator = new StrimziOperator(
    "strimzi-operator",
    {
      chart: operatorChart(config.operator.chart),
      version: config.operator.version,
      awaitReady: config.operator.awaitReady ?? true,
      namespace: config.operator.namespace,
      watchNamespaces: [config.kubernetes.namespace],
    },
    { ...onCluster, dependsOn: [crds, ...namespaces.all()] },
  );
  const charts = built.charts;
  const bootstrapServers = strimziBootstrapAddresses(charts);
  // Credentials reach services in their own namespaces (docs/decisions/0006-credential-delivery.md).
  const passwords = new ServicePasswords(
    "service-passwords",
    { ...credentialArgs(model), kafkaNamespace: config.kubernetes.namespace },
    { ...onCluster, dependsOn: namespaces.all() },
  );
  const cluster = new StrimziKafkaCluster(
    "kafka-cluster",
    {
      groups: planManifestGroups(charts, protection),
      namespaces: [...namespaces.all(), passwords],
      operator: [crds, operator],
    },
    onCluster,
  );
  const credentials = new ServiceCredentials(
    "service-credentials",
    {
      ...credentialArgs(model),
      passwords,
      kafkaNamespace: config.kubernetes.namespace,
      clusterName: config.cluster.name,
      bootstrapServers: Object.values(bootstrapServers).join(","),
      schemaRegistryUrl: config.schemaRegistry.enabled ? schemaRegistryUrl(model) : undefined,
      // Known once the cluster's objects are applied, and (through a generated password)
      // unknown while a preview plans a new stack: the CA is then not looked for before the
      // operator can have written it, while the preview of a deployed stack reads it and
      // shows no change.
      clusterApplied: pulumi.all<unknown>([
        pulumi.all([...cluster.groups.values()].map((g) => g.resources)),
        ...[...passwords.passwords.values()]
          .slice(0, 1)
          .map((p) => pulumi.unsecret(p).apply(() => true)),
      ]),
    },
    onCluster,
  );
  return {
    ...common,
    bootstrapServers,
    credentialSecrets: serviceSecretRefs(credentials.mounts),
  };
}
