import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderStack, type K8sObject, type RenderedChart } from "../../../charts/index.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { kafkaClients } from "../support/kafka-clients.ts";
import { REPO_ROOT, listStacks, loadStack } from "../../../infra/config/load.ts";
import { PROTECTED_ENVIRONMENTS } from "../../../infra/protection.ts";
import {
  plainOccurrences,
  runProgram,
  stackFileValues,
  unwrapSecrets,
  type ProgramRun,
  type RegisteredResource,
} from "./support/pulumi-harness.ts";

const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const SECRET = "kubernetes:core/v1:Secret";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const FAKE_KUBECONFIG = "apiVersion: v1\nkind: Config\n# fake-kubeconfig-credential-7f3a\n";

const key = (o: K8sObject): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const sortObjects = (objs: readonly K8sObject[]): K8sObject[] =>
  [...objs].sort((a, b) => key(a).localeCompare(key(b)));

/**
 * The apply tier of a kind, written here from the documented apply order
 * (prerequisites -> cluster -> topics -> dependents), not taken from infra/manifest-plan.ts.
 */
function expectedTier(o: K8sObject): string {
  if (o.apiVersion.startsWith("kafka.strimzi.io/")) {
    if (o.kind === "Kafka" || o.kind === "KafkaNodePool") return "cluster";
    return o.kind === "KafkaTopic" ? "topics" : "dependents";
  }
  return ["ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "StorageClass"].includes(o.kind)
    ? "prerequisites"
    : "dependents";
}

function expectedGroupNames(charts: readonly RenderedChart[]): string[] {
  const names = charts.flatMap((c) => c.objects.map((o) => `${c.name}-${expectedTier(o)}`));
  return [...new Set(names)].sort();
}

function objsOf(r: RegisteredResource): K8sObject[] {
  return unwrapSecrets(r.inputs["objs"]) as K8sObject[];
}

for (const stack of listStacks()) {
  describe(`stack ${stack} under Pulumi mocks`, () => {
    let run: ProgramRun;
    const loaded = loadStack(stack);
    const rendered = renderStack(buildPlatformModel(loaded));
    const byType = (type: string): RegisteredResource[] =>
      run.resources.filter((r) => r.type === type);
    const one = (type: string): RegisteredResource => {
      const found = byType(type);
      expect(found, type).toHaveLength(1);
      return found[0]!;
    };
    // The Strimzi CRDs are a ConfigGroup of their own ("crds"); the others hold rendered objects.
    const crdsGroup = (): RegisteredResource => {
      const found = byType(CONFIG_GROUP).filter((g) => g.name === "crds");
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const manifestGroups = (): RegisteredResource[] =>
      byType(CONFIG_GROUP).filter((g) => g.name !== "crds");

    beforeAll(async () => {
      run = await runProgram({
        stack,
        values: stackFileValues(stack),
        secrets: { kubeconfig: FAKE_KUBECONFIG },
      });
    });

    it("registers the expected resource types and counts", () => {
      const counts: Record<string, number> = {};
      for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
      expect(Object.keys(counts).sort()).toEqual(
        [
          K8S_PROVIDER,
          NAMESPACE,
          RELEASE,
          CONFIG_GROUP,
          "kafka-platform:k8s:PlatformNamespaces",
          "kafka-platform:strimzi:Crds",
          "kafka-platform:strimzi:Operator",
          "kafka-platform:strimzi:KafkaCluster",
          "kafka-platform:k8s:ServicePasswords",
          "kafka-platform:k8s:ServiceCredentials",
          SECRET,
          RANDOM_PASSWORD,
        ].sort(),
      );
      expect(counts[K8S_PROVIDER]).toBe(1);
      const separateOperatorNs =
        loaded.config.operator.namespace !== loaded.config.kubernetes.namespace;
      // Services and the Schema Registry where it runs (a Kafka client like a service).
      const clients = kafkaClients(loaded.config);
      const serviceNamespaces = new Set(clients.map((s) => s.namespace)).size;
      expect(counts[NAMESPACE]).toBe((separateOperatorNs ? 2 : 1) + serviceNamespaces);
      // Per service: one password, its Secret in the Kafka namespace, its Secret in its own.
      expect(counts[RANDOM_PASSWORD]).toBe(clients.length);
      expect(counts[SECRET]).toBe(2 * clients.length);
      expect(counts[RELEASE]).toBe(1);
      // One ConfigGroup `<chart>-<tier>` per (chart, tier) that has objects, no more, no fewer.
      const groupNames = manifestGroups().map((g) => g.name);
      expect(new Set(groupNames).size).toBe(groupNames.length);
      expect(groupNames.sort()).toEqual(expectedGroupNames(rendered));
      expect(groupNames).toEqual(
        expect.arrayContaining([
          "kafka-cluster-prerequisites",
          "kafka-cluster-cluster",
          "kafka-topics-topics",
          "kafka-users-dependents",
        ]),
      );
      // No @pulumi/kafka resources on the Strimzi path.
      expect(run.resources.filter((r) => r.type.startsWith("kafka:"))).toEqual([]);
    });

    it("hands Kubernetes exactly the objects the render command produces", () => {
      const applied = manifestGroups().flatMap(objsOf);
      const expected = rendered.flatMap((c) => c.objects);
      expect(sortObjects(applied)).toEqual(sortObjects(expected));
      // Every group holds objects of one chart only, in render order.
      for (const group of manifestGroups()) {
        const objs = objsOf(group);
        const chart = rendered.find((c) => c.objects.some((o) => key(o) === key(objs[0]!)));
        expect(chart, group.name).toBeDefined();
        const inChart = chart!.objects.filter((o) => objs.some((g) => key(g) === key(o)));
        expect(objs, group.name).toEqual(inChart);
      }
    });

    it("applies the release's ten CRDs and the operator, waiting for it, without its CRDs", () => {
      const crdNames = objsOf(crdsGroup()).map((o) => `${o.kind}/${o.metadata.name}`);
      expect(crdNames.sort()).toEqual(
        [
          "kafkabridges",
          "kafkaconnectors",
          "kafkaconnects",
          "kafkamirrormaker2s",
          "kafkanodepools",
          "kafkarebalances",
          "kafkas",
          "kafkatopics",
          "kafkausers",
        ]
          .map((n) => `CustomResourceDefinition/${n}.kafka.strimzi.io`)
          .concat("CustomResourceDefinition/strimzipodsets.core.strimzi.io")
          .sort(),
      );
      const release = one(RELEASE);
      // The OCI chart and an atomic release, unless the stack names a chart folder and opts
      // out of waiting (the local stack: no pod runs on its control plane).
      const { chart, awaitReady } = loaded.config.operator;
      expect(release.inputs).toMatchObject({
        chart:
          chart === undefined
            ? "oci://quay.io/strimzi-helm/strimzi-kafka-operator"
            : join(REPO_ROOT, chart),
        version: "1.2.0",
        namespace: loaded.config.operator.namespace,
        skipCrds: true,
        atomic: awaitReady !== false,
        skipAwait: awaitReady === false,
        values: { watchAnyNamespace: false, watchNamespaces: [loaded.config.kubernetes.namespace] },
      });
      // CRDs before the operator; namespaces before the operator.
      const crds = crdsGroup();
      expect(release.dependencies).toContain(crds.urn);
      const platformNamespaces = byType(NAMESPACE).filter((n) =>
        [loaded.config.operator.namespace, loaded.config.kubernetes.namespace].includes(
          (n.inputs["metadata"] as { name: string }).name,
        ),
      );
      expect(platformNamespaces.length).toBeGreaterThan(0);
      for (const ns of platformNamespaces) expect(release.dependencies).toContain(ns.urn);
    });

    it("makes every group of Strimzi custom resources depend on the CRDs and the operator", () => {
      const crds = crdsGroup().urn;
      const operator = one(RELEASE).urn;
      const clusterNs = byType(NAMESPACE).find(
        (n) =>
          (n.inputs["metadata"] as { name: string }).name === loaded.config.kubernetes.namespace,
      )!;
      const strimziGroups = manifestGroups().filter((g) =>
        objsOf(g).some((o) => o.apiVersion.startsWith("kafka.strimzi.io/")),
      );
      expect(strimziGroups.length).toBeGreaterThan(0);
      for (const g of strimziGroups) {
        expect(g.dependencies, g.name).toContain(crds);
        expect(g.dependencies, g.name).toContain(operator);
      }
      for (const g of manifestGroups()) expect(g.dependencies, g.name).toContain(clusterNs.urn);
    });

    it("orders destroy so KafkaTopics go while the cluster's topic operator still runs", () => {
      const groupsWith = (kind: string): RegisteredResource[] =>
        manifestGroups().filter((g) => objsOf(g).some((o) => o.kind === kind));
      const clusterGroups = groupsWith("Kafka");
      expect(clusterGroups).toHaveLength(1);
      for (const kind of ["KafkaTopic", "KafkaUser"]) {
        const groups = groupsWith(kind);
        expect(groups.length, kind).toBeGreaterThan(0);
        for (const g of groups) expect(g.dependencies, g.name).toContain(clusterGroups[0]!.urn);
        // KafkaTopics never share a group with the Kafka resource, or they would be deleted together.
        for (const g of groups)
          expect(
            objsOf(g).some((o) => o.kind === "Kafka"),
            g.name,
          ).toBe(false);
      }
      // The metrics ConfigMap the Kafka resource points at exists before it.
      const metricsGroup = manifestGroups().find((g) =>
        objsOf(g).some(
          (o) =>
            o.kind === "ConfigMap" && o.metadata.namespace === loaded.config.kubernetes.namespace,
        ),
      );
      expect(clusterGroups[0]!.dependencies).toContain(metricsGroup!.urn);
    });

    it("protects data-bearing resources exactly when protectData is set", () => {
      const protectedData = loaded.config.protectData;
      if (PROTECTED_ENVIRONMENTS.includes(loaded.config.environment)) {
        expect(
          protectedData,
          `${loaded.file}: protectData must be true in ${loaded.config.environment}`,
        ).toBe(true);
      }
      for (const g of manifestGroups()) {
        const dataKinds = objsOf(g).filter((o) =>
          ["Kafka", "KafkaNodePool", "KafkaTopic"].includes(o.kind),
        );
        if (dataKinds.length > 0) expect(g.protect, g.name).toBe(protectedData);
        else expect(g.protect, g.name).toBe(false);
      }
      const crdsComponent = run.resources.find((r) => r.type === "kafka-platform:strimzi:Crds")!;
      expect(crdsComponent.protect).toBe(protectedData);
      const clusterNs = byType(NAMESPACE).find(
        (n) =>
          (n.inputs["metadata"] as { name: string }).name === loaded.config.kubernetes.namespace,
      )!;
      expect(clusterNs.protect).toBe(protectedData);
      expect(one(RELEASE).protect).toBe(false);
    });

    it("sends every Kubernetes object through the stack's own provider", () => {
      const provider = one(K8S_PROVIDER);
      expect(provider.inputs["clusterIdentifier"]).toBe(
        `${loaded.config.environment}-${loaded.config.region}`,
      );
      for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
        const ref = r.custom ? r.provider : (r.providers["kubernetes"] ?? "");
        expect(ref.startsWith(`${provider.urn}::`), `${r.type} ${r.name}`).toBe(true);
      }
    });

    it("keeps the kubeconfig secret in every input and out of every output", () => {
      const provider = one(K8S_PROVIDER);
      expect(unwrapSecrets(provider.inputs["kubeconfig"])).toBe(FAKE_KUBECONFIG);
      for (const r of run.resources) {
        expect(plainOccurrences(r.inputs, "fake-kubeconfig-credential"), r.urn).toEqual([]);
      }
      expect(plainOccurrences(run.outputs, "fake-kubeconfig-credential")).toEqual([]);
      expect(run.secretOutputs).toEqual([]);
    });

    it("exports the bootstrap addresses, credentials Secrets, namespace and Kafka version", () => {
      const ns = loaded.config.kubernetes.namespace;
      const name = loaded.config.cluster.name;
      expect(run.outputs["namespace"]).toBe(ns);
      expect(run.outputs["kafkaVersion"]).toBe("4.3.1");
      expect(run.outputs["topicManagement"]).toBe("strimzi");
      const bootstrap = run.outputs["bootstrapServers"] as Record<string, string>;
      expect(Object.values(bootstrap).length).toBeGreaterThan(0);
      for (const address of Object.values(bootstrap)) {
        expect(address).toMatch(
          new RegExp(`^${name}-kafka-([a-z0-9]+-)?bootstrap\\.${ns}\\.svc:[0-9]+$`),
        );
      }
      // Each service mounts `kafka-<service>` in the namespace acl/services.ts declares for it.
      const secrets = run.outputs["credentialSecrets"] as Record<string, string>;
      expect(secrets).toEqual(
        Object.fromEntries(
          kafkaClients(loaded.config).map((s) => [s.name, `${s.namespace}/kafka-${s.name}`]),
        ),
      );
    });
  });
}
