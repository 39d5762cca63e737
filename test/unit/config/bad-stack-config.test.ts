import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStack } from "../../../infra/config/load.ts";
import { ValidationError, type ValidationIssue } from "../../../topics/validation-error.ts";
import { filesUnder, runRender } from "../render/run-render.ts";
import { tempStackRoot, type StackMutation } from "./stack-mutations.ts";

/**
 * Mistakes a platform engineer can make in a stack file. Each must give its intended error
 * (file, field path as written in the file, and the allowed values where there is a list),
 * both from loadStack and from the render command run as a child process, which must exit
 * non-zero and write nothing.
 */
interface BadStackCase {
  readonly name: string;
  readonly stack: string;
  readonly mutations: readonly StackMutation[];
  readonly path: string;
  readonly message: string;
  readonly allowed?: readonly string[];
}

const P = "config.kafka-platform:";

const cases: readonly BadStackCase[] = [
  {
    name: "prod with 3 controllers in 2 zones",
    stack: "prod-us-east-1",
    mutations: [{ set: ["cluster", "zones"], value: ["us-east-1a", "us-east-1b"] }],
    path: `${P}cluster.zones`,
    message:
      "names 2 zones for 3 controllers: losing one zone would take 2 of 3 controllers and the KRaft quorum with it; prod needs at least 3 zones",
  },
  {
    name: "staging without zones",
    stack: "staging",
    mutations: [{ delete: ["cluster", "zones"] }],
    path: `${P}cluster.zones`,
    message: "is required in staging: name the zones the nodes run in",
  },
  {
    name: "repeated zone",
    stack: "prod-eu-west-1",
    mutations: [{ set: ["cluster", "zones"], value: ["eu-west-1a", "eu-west-1a", "eu-west-1b"] }],
    path: `${P}cluster.zones`,
    message: "must not repeat a zone",
  },
  {
    name: "prod storage class that deletes volumes",
    stack: "prod-eu-west-1",
    mutations: [{ set: ["cluster", "storageClass", "reclaimPolicy"], value: "Delete" }],
    path: `${P}cluster.storageClass.reclaimPolicy`,
    message: "must be Retain in prod (got Delete)",
  },
  {
    name: "storage class binding volumes before scheduling",
    stack: "staging",
    mutations: [{ set: ["cluster", "storageClass", "volumeBindingMode"], value: "Immediate" }],
    path: `${P}cluster.storageClass.volumeBindingMode`,
    message: 'got "Immediate"',
    allowed: ["WaitForFirstConsumer"],
  },
  {
    name: "storage class without volume expansion",
    stack: "staging",
    mutations: [{ set: ["cluster", "storageClass", "allowVolumeExpansion"], value: false }],
    path: `${P}cluster.storageClass.allowVolumeExpansion`,
    message: "got false",
    allowed: ["true"],
  },
  {
    name: "staging without a storage class",
    stack: "staging",
    mutations: [{ delete: ["cluster", "storageClass"] }],
    path: `${P}cluster.storageClass`,
    message: "is required in staging",
  },
  {
    name: "pool on another storage class than the declared one",
    stack: "prod-us-east-1",
    mutations: [{ set: ["cluster", "brokers", "storage", "class"], value: "gp2" }],
    path: `${P}cluster.brokers.storage.class`,
    message: 'must be the declared storageClass "kafka-gp3" (got "gp2")',
  },
  {
    name: "combined pool in staging",
    stack: "staging",
    mutations: [
      { set: ["cluster", "nodePools"], value: "combined" },
      { delete: ["cluster", "controllers"] },
      { set: ["cluster", "cruiseControl"], value: false },
    ],
    path: `${P}cluster.nodePools`,
    message: "must be separate in staging",
  },
  {
    name: "combined pool with Cruise Control",
    stack: "dev",
    mutations: [{ set: ["cluster", "cruiseControl"], value: true }],
    path: `${P}cluster.cruiseControl`,
    message: "must be false when nodePools is combined",
  },
  {
    name: "separate pools without controllers",
    stack: "dev",
    mutations: [{ set: ["cluster", "nodePools"], value: "separate" }],
    path: `${P}cluster.controllers`,
    message: "is required when nodePools is separate",
  },
  {
    name: "prod without a maintenance window",
    stack: "prod-us-east-1",
    mutations: [{ delete: ["cluster", "maintenanceTimeWindows"] }],
    path: `${P}cluster.maintenanceTimeWindows`,
    message: "needs at least one window in prod",
  },
  {
    name: "unknown (misspelt) field",
    stack: "dev",
    mutations: [{ set: ["cluster", "brokers", "heapSize"], value: "1g" }],
    path: `${P}cluster.brokers.heapSize`,
    message: "unknown field",
    allowed: ["replicas", "storage", "resources", "heap"],
  },
  {
    name: "unknown top-level key",
    stack: "staging",
    mutations: [{ set: ["cruiseControl"], value: true }],
    path: `${P}cruiseControl`,
    message: "unknown field",
  },
  {
    name: "wrong enum value for environment",
    stack: "dev",
    mutations: [{ set: ["environment"], value: "production" }],
    path: `${P}environment`,
    message: 'got "production"',
    allowed: ["dev", "staging", "prod"],
  },
  {
    name: "broker replicas 5",
    stack: "prod-eu-west-1",
    mutations: [{ set: ["cluster", "brokers", "replicas"], value: 5 }],
    path: `${P}cluster.brokers.replicas`,
    message: "got 5",
    allowed: ["3"],
  },
  {
    name: "controller replicas 1",
    stack: "staging",
    mutations: [{ set: ["cluster", "controllers", "replicas"], value: 1 }],
    path: `${P}cluster.controllers.replicas`,
    message: "got 1",
    allowed: ["3"],
  },
  {
    name: "tenant name that is not a topic segment",
    stack: "dev",
    mutations: [{ set: ["tenants", 1], value: "Globex_Corp" }],
    path: `${P}tenants[1]`,
    message: "must be one topic-name segment: [a-z0-9] joined by single '-' (got \"Globex_Corp\")",
  },
  {
    name: "duplicate tenant",
    stack: "staging",
    mutations: [{ set: ["tenants", 1], value: "acme" }],
    path: `${P}tenants`,
    message: "must not repeat a tenant",
  },
  {
    name: "no tenants",
    stack: "dev",
    mutations: [{ set: ["tenants"], value: [] }],
    path: `${P}tenants`,
    message: "must list at least one tenant",
  },
  {
    name: "memory quantity in GB instead of Gi",
    stack: "dev",
    mutations: [{ set: ["cluster", "brokers", "resources", "requests", "memory"], value: "2GB" }],
    path: `${P}cluster.brokers.resources.requests.memory`,
    message: 'must be a Kubernetes quantity such as 500m, 4Gi or 100Gi (got "2GB")',
  },
  {
    name: "storage size in GB",
    stack: "prod-us-east-1",
    mutations: [{ set: ["cluster", "brokers", "storage", "size"], value: "1TB" }],
    path: `${P}cluster.brokers.storage.size`,
    message: 'must be a size in Gi or Ti, such as 100Gi (got "1TB")',
  },
  {
    name: "JVM heap in GB",
    stack: "staging",
    mutations: [{ set: ["cluster", "controllers", "heap"], value: "8GB" }],
    path: `${P}cluster.controllers.heap`,
    message: 'must be a JVM size such as 512m or 2g (got "8GB")',
  },
  {
    name: "missing required field",
    stack: "dev",
    mutations: [{ delete: ["cluster", "rackTopologyKey"] }],
    path: `${P}cluster.rackTopologyKey`,
    message: "is required",
  },
  {
    name: "plain value for a secret key",
    stack: "dev",
    mutations: [{ setRaw: "kafka-platform:kubeconfig", value: "apiVersion: v1" }],
    path: `${P}kubeconfig`,
    message: "must be a Pulumi secret (pulumi config set --secret), not a plain value",
  },
  {
    name: "deleteClaim true in prod",
    stack: "prod-us-east-1",
    mutations: [{ set: ["cluster", "brokers", "storage", "deleteClaim"], value: true }],
    path: `${P}cluster.brokers.storage.deleteClaim`,
    message: "must be false outside dev",
  },
  {
    name: "kafka-provider without kafkaProvider",
    stack: "dev",
    mutations: [{ set: ["topicManagement"], value: "kafka-provider" }],
    path: `${P}kafkaProvider`,
    message: "is required when topicManagement is kafka-provider",
  },
  {
    name: "unknown topicManagement",
    stack: "dev",
    mutations: [{ set: ["topicManagement"], value: "terraform" }],
    path: `${P}topicManagement`,
    message: 'got "terraform"',
    allowed: ["strimzi", "kafka-provider"],
  },
  {
    name: "mirror peer in the stack's own region",
    stack: "prod-eu-west-1",
    mutations: [{ set: ["mirrorMaker", "peers", 0, "region"], value: "eu-west-1" }],
    path: `${P}mirrorMaker.peers[0].region`,
    message: "must be another region than this stack's",
  },
  {
    name: "active-active with the identity replication policy (a loop)",
    stack: "prod-eu-west-1",
    mutations: [
      { set: ["mirrorMaker", "mode"], value: "active-active" },
      { delete: ["mirrorMaker", "role"] },
    ],
    path: `${P}mirrorMaker.replicationPolicy`,
    message:
      "must be prefixed with mode active-active: with identity names each region would mirror the other's copies back, a loop (allowed: prefixed)",
  },
  {
    name: "mirroring enabled without peers",
    stack: "prod-eu-west-1",
    mutations: [{ delete: ["mirrorMaker", "peers"] }],
    path: `${P}mirrorMaker.peers`,
    message: "is required when enabled",
  },
  {
    name: "unsupported Kafka version",
    stack: "dev",
    mutations: [{ set: ["cluster", "kafkaVersion"], value: "3.9.0" }],
    path: `${P}cluster.kafkaVersion`,
    message: 'got "3.9.0"',
    allowed: ["4.3.1"],
  },
  {
    name: "unsupported metadata version",
    stack: "dev",
    mutations: [{ set: ["cluster", "metadataVersion"], value: "3.9-IV0" }],
    path: `${P}cluster.metadataVersion`,
    message: 'got "3.9-IV0"',
    allowed: ["4.3-IV0"],
  },
  {
    name: "other Strimzi operator version",
    stack: "staging",
    mutations: [{ set: ["operator", "version"], value: "0.45.0" }],
    path: `${P}operator.version`,
    message: 'got "0.45.0"',
    allowed: ["1.2.0"],
  },
  {
    name: "maxUnavailable 2",
    stack: "prod-us-east-1",
    mutations: [{ set: ["cluster", "maxUnavailable"], value: 2 }],
    path: `${P}cluster.maxUnavailable`,
    message: "got 2",
    allowed: ["1"],
  },
  {
    name: "namespace that is not a Kubernetes name",
    stack: "dev",
    mutations: [{ set: ["kubernetes", "namespace"], value: "Kafka_NS" }],
    path: `${P}kubernetes.namespace`,
    message: "must be a Kubernetes name",
  },
  {
    name: "malformed region",
    stack: "dev",
    mutations: [{ set: ["region"], value: "US East" }],
    path: `${P}region`,
    message: 'must be a region id such as us-east-1 (got "US East")',
  },
  {
    name: "string for a boolean",
    stack: "dev",
    mutations: [{ set: ["cluster", "cruiseControl"], value: "yes" }],
    path: `${P}cluster.cruiseControl`,
    message: 'must be boolean, got "yes"',
  },
  {
    name: "key outside the project namespace",
    stack: "dev",
    mutations: [{ setRaw: "kafka-platfrom:tenants", value: ["acme"] }],
    path: "config.kafka-platfrom:tenants",
    message: 'keys must be "kafka-platform:<key>"',
    allowed: ["kafka-platform"],
  },
  {
    name: "invalid YAML",
    stack: "dev",
    mutations: [{ replaceText: "config:\n  kafka-platform:environment: [dev\n" }],
    path: "",
    message: "is not valid YAML",
  },
];

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function expectedLine(c: BadStackCase): string {
  return `Pulumi.${c.stack}.yaml: ${c.path || "(root)"}: `;
}

describe.concurrent("bad stack config", { timeout: 240_000 }, () => {
  it("has at least 20 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of cases) {
    it(`${c.name}: names file, field and allowed values; render exits 1 and writes nothing`, async () => {
      const root = tempStackRoot(c.stack, c.mutations);
      roots.push(root);

      let error: unknown;
      try {
        loadStack(c.stack, root);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      const matching = issues.filter(
        (i: ValidationIssue) =>
          i.file === `Pulumi.${c.stack}.yaml` && i.path === c.path && i.message.includes(c.message),
      );
      expect(matching, JSON.stringify(issues, null, 2)).toHaveLength(1);
      if (c.allowed) expect(matching[0]?.allowed).toEqual(c.allowed);

      const out = join(root, "dist");
      const run = await runRender(["--stack", c.stack, "--root", root, "--out", out]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${expectedLine(c)}${c.message}`);
      if (c.allowed) expect(run.stderr).toContain(`(allowed: ${c.allowed.join(", ")})`);
      expect(run.stderr).toContain("nothing written");
      expect(filesUnder(root)).toEqual([`Pulumi.${c.stack}.yaml`]);
    });
  }

  it("the same copy of a stack file without a mutation renders (control for the cases above)", async () => {
    const root = tempStackRoot("dev", []);
    roots.push(root);
    const run = await runRender(["--stack", "dev", "--root", root, "--out", join(root, "dist")]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(filesUnder(join(root, "dist"))).toEqual(
      expect.arrayContaining([
        "dev/kafka-cluster.yaml",
        "dev/kafka-topics.yaml",
        "dev/kafka-users.yaml",
      ]),
    );
  });
});
