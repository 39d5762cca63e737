import { beforeAll, describe, expect, it } from "vitest";
import { buildStack } from "../../charts/stack-build.ts";
import { loadStack } from "../../infra/config/load.ts";
import { serverDryRun } from "../../infra/server-dry-run.ts";
import { applyStrimziCrds, kubectl, plane, toolchain } from "./support/plane.ts";

/**
 * The MirrorMaker objects of both production stacks (decision 0013) through the real
 * kube-apiserver's admission with the Strimzi 1.2 CRDs: the KafkaMirrorMaker2 in v1 layout,
 * its metrics ConfigMap, both MirrorMaker KafkaUsers and the Kafka with the replication
 * listener; where a stack serves its peer, the heartbeat emitter (decision 0015): KafkaConnect,
 * KafkaConnector (its CRD applied from ../shared/strimzi-helm-chart/crds with the others),
 * their metrics ConfigMap and KafkaUser mirror-heartbeats. A dry run persists nothing.
 */
const NAMESPACE = "mirror-maker-dry-run";

describe("MirrorMaker 2 objects on the API server", () => {
  beforeAll(async () => {
    await applyStrimziCrds();
    kubectl(["create", "namespace", NAMESPACE]);
  });

  it.each(["prod-eu-west-1", "prod-us-east-1"])("%s: accepted by the API server", async (stack) => {
    const objects = buildStack(loadStack(stack)).objects.filter(
      (o) =>
        o.kind === "KafkaMirrorMaker2" ||
        o.kind === "Kafka" ||
        o.kind === "KafkaConnect" ||
        o.kind === "KafkaConnector" ||
        (o.kind === "KafkaUser" && o.metadata.name.startsWith("mirror-")) ||
        (o.kind === "ConfigMap" && /mirror-(maker-2|heartbeats)-metrics$/.test(o.metadata.name)),
    );
    expect(objects.some((o) => o.kind === "KafkaUser")).toBe(true);
    // prod-us-east-1 (active) serves eu-west-1: it emits the heartbeats.
    const heartbeatKinds = objects.filter((o) => o.kind.startsWith("KafkaConnect")).length;
    expect(heartbeatKinds).toBe(stack === "prod-us-east-1" ? 2 : 0);
    const target = { kubectl: toolchain().tool("kubectl"), kubeconfig: plane().kubeconfig };
    const outcome = await serverDryRun(
      objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NAMESPACE } })),
      target,
    );
    expect(outcome.refused).toEqual([]);
    expect(outcome.skipped).toEqual([]);
    expect(outcome.passed).toHaveLength(objects.length);
    expect(
      kubectl([
        "get",
        "kafkamirrormaker2s,kafkaconnects,kafkaconnectors",
        "-n",
        NAMESPACE,
        "-o",
        "name",
      ]).stdout.trim(),
    ).toBe("");
  });
});
