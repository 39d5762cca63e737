import { beforeAll, describe, expect, it } from "vitest";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { kafkaClients } from "../support/kafka-clients.ts";
import { renderStack } from "../../../charts/index.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { listStacks, loadStack } from "../../../infra/config/load.ts";
import {
  FAKE_CA_CERT,
  fakePassword,
  plainOccurrences,
  runProgram,
  stackFileValues,
  unwrapSecrets,
  type ProgramRun,
  type RegisteredResource,
} from "./support/pulumi-harness.ts";

/**
 * Issue 14, item 2: a pod cannot mount a Secret from another namespace, so each service's
 * credentials, the cluster CA and the bootstrap address must reach the service's own
 * namespace (docs/decisions/0006-credential-delivery.md). Runs the real program under mocks.
 */
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

for (const stack of listStacks()) {
  describe(`stack ${stack}`, () => {
    let run: ProgramRun;
    const loaded = loadStack(stack);
    const rendered = renderStack(buildPlatformModel(loaded));
    const byType = (type: string): RegisteredResource[] =>
      run.resources.filter((r) => r.type === type);

    beforeAll(async () => {
      run = await runProgram({
        stack,
        values: stackFileValues(stack),
        secrets: { kubeconfig: "apiVersion: v1\nkind: Config\n" },
      });
    });

    describe("credentials reach each service in its own namespace", () => {
      const secretNamed = (ns: string, name: string): RegisteredResource => {
        const found = byType(SECRET).filter((r) => {
          const meta = unwrapSecrets(r.inputs["metadata"]) as { name: string; namespace: string };
          return meta.name === name && meta.namespace === ns;
        });
        expect(found, `${ns}/${name}`).toHaveLength(1);
        return found[0]!;
      };
      const decoded = (r: RegisteredResource): Record<string, string> =>
        Object.fromEntries(
          Object.entries(unwrapSecrets(r.inputs["data"]) as Record<string, string>).map(
            ([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")],
          ),
        );

      it("writes Secret kafka-<service> with username, password, ca.crt and bootstrap.servers", () => {
        const ns = loaded.config.kubernetes.namespace;
        const bootstrap = `${loaded.config.cluster.name}-kafka-bootstrap.${ns}.svc:9093`;
        for (const s of kafkaClients(loaded.config)) {
          const secret = secretNamed(s.namespace, `kafka-${s.name}`);
          expect(decoded(secret)).toEqual({
            username: s.name,
            password: fakePassword(`${s.name}-password`),
            "ca.crt": FAKE_CA_CERT,
            "bootstrap.servers": bootstrap,
            // Where the stack runs the Schema Registry, its URL rides along.
            ...(loaded.config.schemaRegistry.enabled
              ? {
                  "schema.registry.url":
                    "http://schema-registry.schema-registry.svc:8080/apis/ccompat/v7",
                }
              : {}),
          });
          // The password travels only inside Pulumi's secret wrapper.
          expect(plainOccurrences(secret.inputs, "fake-password-for")).toEqual([]);
        }
      });

      it("gives each KafkaUser's referenced Secret the same password, in the Kafka namespace", () => {
        const ns = loaded.config.kubernetes.namespace;
        const users = rendered
          .flatMap((c) => c.objects)
          .filter(
            (o) =>
              o.kind === "KafkaUser" &&
              o.metadata.name !== "platform-admin" &&
              !isMirrorMakerUser(o),
          );
        expect(users).toHaveLength(kafkaClients(loaded.config).length);
        for (const u of users) {
          const ref = (
            u["spec"] as {
              authentication: {
                password: { valueFrom: { secretKeyRef: { name: string; key: string } } };
              };
            }
          ).authentication.password.valueFrom.secretKeyRef;
          const secret = secretNamed(ns, ref.name);
          expect(decoded(secret)[ref.key]).toBe(fakePassword(`${u.metadata.name}-password`));
          expect(plainOccurrences(secret.inputs, "fake-password-for")).toEqual([]);
        }
      });

      it("copies the CA from Strimzi's cluster CA Secret, read only after the cluster is applied", () => {
        const ns = loaded.config.kubernetes.namespace;
        expect(run.reads).toEqual([
          {
            type: SECRET,
            name: "cluster-ca-cert",
            id: `${ns}/${loaded.config.cluster.name}-cluster-ca-cert`,
          },
        ]);
      });

      it("creates each service namespace labelled as a client namespace the brokers admit", () => {
        const label = loaded.config.kubernetes.clientNamespaceLabel;
        for (const nsName of new Set(kafkaClients(loaded.config).map((s) => s.namespace))) {
          const found = byType(NAMESPACE).filter(
            (r) => (unwrapSecrets(r.inputs["metadata"]) as { name: string }).name === nsName,
          );
          expect(found, nsName).toHaveLength(1);
          const labels = (
            unwrapSecrets(found[0]!.inputs["metadata"]) as {
              labels: Record<string, string>;
            }
          ).labels;
          expect(labels[label]).toBe("true");
        }
        // The NetworkPolicy admits exactly that label.
        const policy = rendered
          .flatMap((c) => c.objects)
          .find((o) => o.kind === "NetworkPolicy" && o.metadata.name.endsWith("-kafka-clients"));
        expect(JSON.stringify(policy)).toContain(`{"matchLabels":{"${label}":"true"}}`);
      });

      it("makes the cluster wait for the password Secrets the KafkaUsers reference", () => {
        const passwordSecrets = byType(SECRET)
          .filter((r) =>
            (unwrapSecrets(r.inputs["metadata"]) as { name: string }).name.endsWith(
              "-scram-password",
            ),
          )
          .map((r) => r.urn);
        const usersGroup = byType(CONFIG_GROUP).find((g) => g.name === "kafka-users-dependents")!;
        for (const urn of passwordSecrets) expect(usersGroup.dependencies).toContain(urn);
      });
    });
  });
}
