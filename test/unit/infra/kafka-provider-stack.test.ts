import { beforeAll, describe, expect, it } from "vitest";
import { services } from "../../../acl/services.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { listStacks, loadStack, parseStackConfig } from "../../../infra/config/load.ts";
import {
  fakePassword,
  plainOccurrences,
  runProgram,
  stackFileValues,
  unwrapSecrets,
  SECRET_SIG,
  SECRET_SIG_KEY,
  type ProgramRun,
  type RegisteredResource,
} from "./support/pulumi-harness.ts";
import { expectedGrantList } from "../support/expected-grants.ts";
import { SCHEMA_REGISTRY_GRANTS } from "../support/kafka-clients.ts";

const TOPIC = "kafka:index/topic:Topic";
const ACL = "kafka:index/acl:Acl";
const SCRAM = "kafka:index/userScramCredential:UserScramCredential";
const KAFKA_PROVIDER = "pulumi:providers:kafka";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const SECRET = "kubernetes:core/v1:Secret";
const ADMIN_PASSWORD = "fake-admin-password-91c2";

// A real stack file (the first that protects its data), switched to the @pulumi/kafka path.
const base = listStacks().find((s) => loadStack(s).config.protectData)!;
const values = {
  ...stackFileValues(base),
  topicManagement: "kafka-provider",
  kafkaProvider: {
    bootstrapServers: ["b-1.managed-kafka.internal:9096", "b-2.managed-kafka.internal:9096"],
    tlsEnabled: true,
    adminUsername: "platform-admin",
  },
};
const config = parseStackConfig(values, `Pulumi.${base}.yaml`);
const model = buildPlatformModel({ stack: base, file: `Pulumi.${base}.yaml`, config });

const isSecretWrapped = (v: unknown): boolean =>
  v !== null &&
  typeof v === "object" &&
  (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;

describe(`kafka-provider stack (from ${base}) under Pulumi mocks`, () => {
  let run: ProgramRun;
  const byType = (type: string): RegisteredResource[] =>
    run.resources.filter((r) => r.type === type);

  beforeAll(async () => {
    run = await runProgram({
      stack: base,
      values,
      secrets: { kafkaProviderAdminPassword: ADMIN_PASSWORD },
    });
  });

  it("deploys no Strimzi: no CRDs, operator or rendered charts", () => {
    const strimziTypes = [
      "kubernetes:yaml/v2:ConfigFile",
      "kubernetes:helm.sh/v3:Release",
      "kubernetes:yaml/v2:ConfigGroup",
    ];
    expect(run.resources.filter((r) => strimziTypes.includes(r.type))).toEqual([]);
  });

  it("creates one kafka.Topic per catalog topic, with its partitions, replication and config", () => {
    const topics = byType(TOPIC).map((r) => r.inputs);
    expect(topics.map((t) => t["name"]).sort()).toEqual(model.topics.map((t) => t.name).sort());
    for (const topic of model.topics) {
      expect(topics.find((t) => t["name"] === topic.name)).toEqual({
        name: topic.name,
        partitions: topic.partitions,
        replicationFactor: 3,
        config: topic.config,
      });
    }
  });

  it("protects the topics", () => {
    expect(byType(TOPIC).length).toBeGreaterThan(0);
    for (const t of byType(TOPIC)) expect(t.protect, t.name).toBe(true);
  });

  it("grants exactly the ACLs acl/services.ts declares, one kafka.Acl per operation", () => {
    // @pulumi/kafka's vocabulary, written here rather than taken from infra/kafka-acls.ts.
    const typeName = { topic: "Topic", group: "Group", transactionalId: "TransactionalID" };
    const pattern = { literal: "Literal", prefix: "Prefixed" };
    // Expected grants come from the declarations by a route of their own (never acl/derive.ts).
    const grants = [
      ...services.map((s) => ({ name: s.name, grants: expectedGrantList(s) })),
      ...(config.schemaRegistry.enabled
        ? [{ name: "schema-registry", grants: SCHEMA_REGISTRY_GRANTS }]
        : []),
    ];
    const expected = grants
      .flatMap((s) =>
        s.grants.map((g) =>
          [
            `User:${s.name}`,
            typeName[g.resourceType],
            g.name,
            pattern[g.patternType],
            g.operation,
            "Allow",
            "*",
          ].join("|"),
        ),
      )
      .sort();
    const actual = byType(ACL)
      .map((r) => {
        const i = r.inputs;
        return [
          i["aclPrincipal"],
          i["aclResourceType"],
          i["aclResourceName"],
          i["resourcePatternTypeFilter"],
          i["aclOperation"],
          i["aclPermissionType"],
          i["aclHost"],
        ].join("|");
      })
      .sort();
    expect(actual).toEqual(expected);
    expect(new Set(actual).size).toBe(actual.length);
  });

  it("creates a SCRAM-SHA-512 credential per service with a generated, secret password", () => {
    const creds = byType(SCRAM);
    expect(creds.map((c) => c.inputs["username"]).sort()).toEqual(
      model.access.map((a) => a.username).sort(),
    );
    for (const c of creds) {
      expect(c.inputs["scramMechanism"]).toBe("SCRAM-SHA-512");
      expect(isSecretWrapped(c.inputs["password"]), c.name).toBe(true);
      expect(unwrapSecrets(c.inputs["password"])).toBe(fakePassword(`${c.name}-password`));
    }
    expect(byType(RANDOM_PASSWORD)).toHaveLength(model.access.length);
    // Each ACL waits for its user's credential.
    for (const acl of byType(ACL)) {
      const user = String(acl.inputs["aclPrincipal"]).replace("User:", "");
      const cred = creds.find((c) => c.inputs["username"] === user)!;
      expect(acl.dependencies, acl.name).toContain(cred.urn);
    }
  });

  it("talks to the cluster with TLS set explicitly and the admin password kept secret", () => {
    const providers = byType(KAFKA_PROVIDER);
    expect(providers).toHaveLength(1);
    const p = providers[0]!.inputs;
    // Provider inputs arrive JSON-encoded per key, as Pulumi sends provider config.
    const decoded = Object.fromEntries(
      Object.entries(p).map(([k, v]) => {
        const raw = unwrapSecrets(v);
        try {
          return [k, typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw];
        } catch {
          return [k, raw];
        }
      }),
    );
    expect(decoded["tlsEnabled"]).toBe(true);
    expect(decoded["saslMechanism"]).toBe("scram-sha512");
    expect(decoded["saslUsername"]).toBe("platform-admin");
    expect(decoded["bootstrapServers"]).toEqual(config.kafkaProvider!.bootstrapServers);
    expect(isSecretWrapped(p["saslPassword"])).toBe(true);
    for (const r of byType(TOPIC).concat(byType(ACL), byType(SCRAM))) {
      expect(r.provider.startsWith(`${providers[0]!.urn}::`), r.name).toBe(true);
    }
  });

  it("publishes each service's credentials in a Secret named like Strimzi's, data secret", () => {
    const secrets = byType(SECRET);
    expect(secrets).toHaveLength(model.access.length);
    const namespaces = byType("kubernetes:core/v1:Namespace");
    expect(namespaces).toHaveLength(1);
    for (const s of secrets) {
      expect(s.dependencies, s.name).toContain(namespaces[0]!.urn);
      const meta = s.inputs["metadata"] as { name: string; namespace: string };
      expect(meta.namespace).toBe(config.kubernetes.namespace);
      expect(isSecretWrapped(s.inputs["stringData"]), s.name).toBe(true);
      const data = unwrapSecrets(s.inputs["stringData"]) as Record<string, string>;
      expect(data["password"]).toBe(fakePassword(`${meta.name}-password`));
      expect(data["sasl.jaas.config"]).toContain(`username="${meta.name}"`);
    }
    expect(run.outputs["credentialSecrets"]).toEqual(
      Object.fromEntries(model.access.map((a) => [a.service, a.username])),
    );
    expect(run.outputs["bootstrapServers"]).toEqual({
      bootstrap: "b-1.managed-kafka.internal:9096,b-2.managed-kafka.internal:9096",
    });
  });

  it("holds no password in plain text in any resource input or stack output", () => {
    const passwords = [ADMIN_PASSWORD, ...byType(RANDOM_PASSWORD).map((r) => fakePassword(r.name))];
    expect(passwords.length).toBe(model.access.length + 1);
    for (const password of passwords) {
      for (const r of run.resources)
        expect(plainOccurrences(r.inputs, password), r.urn).toEqual([]);
      expect(plainOccurrences(run.outputs, password)).toEqual([]);
    }
  });
});
