import { describe, expect, it } from "vitest";
import { renderStack } from "../../../charts/index.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { buildStack } from "../../../charts/stack-build.ts";
import { listStacks, loadStack, parseStackConfig } from "../../../infra/config/load.ts";
import { resolveTopics } from "../../../topics/resolve.ts";
import { validateCatalog } from "../../../topics/validate.ts";
import { topicCatalog } from "../../../topics/catalog.ts";
import { services } from "../../../acl/services.ts";
import type { TopicDefinition } from "../../../topics/types.ts";
import { ValidationError, formatIssue } from "../../../topics/validation-error.ts";
import { field } from "../render/rendered-stacks.ts";

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

const dev = loadStack("dev");
const REGISTRY_KINDS = [
  "Deployment",
  "NetworkPolicy",
  "PodDisruptionBudget",
  "PodMonitor",
  "Service",
];

describe("Schema Registry in the stacks", () => {
  it.each(listStacks())(
    "%s renders the registry where it is enabled, with its user and topics",
    (stack) => {
      const built = buildStack(loadStack(stack));
      const chart = built.charts.find((c) => c.name === "schema-registry");
      if (!built.model.config.schemaRegistry.enabled) {
        expect(chart).toBeUndefined();
        return;
      }
      expect(chart?.objects.map((o) => o.kind).sort()).toEqual(
        built.model.config.monitoring.enabled
          ? REGISTRY_KINDS
          : REGISTRY_KINDS.filter((k) => k !== "PodMonitor"),
      );
      for (const o of chart?.objects ?? []) expect(o.metadata.namespace).toBe("schema-registry");
      const deployment = chart?.objects.find((o) => o.kind === "Deployment");
      expect(field(deployment, "spec", "replicas")).toBe(
        built.model.config.schemaRegistry.replicas,
      );
      expect(field(deployment, "spec", "template", "spec", "containers", 0, "image")).toBe(
        "quay.io/apicurio/apicurio-registry:3.3.3",
      );
      const user = built.objects.find(
        (o) => o.kind === "KafkaUser" && o.metadata.name === "schema-registry",
      );
      // Written out from what Apicurio 3.3.3 does with its topics (docs/schema-registry.md).
      const topicAcl = (name: string, operations: string[]): unknown => ({
        type: "allow",
        resource: { type: "topic", name, patternType: "literal" },
        operations,
      });
      expect(field(user, "spec", "authorization", "acls")).toEqual([
        {
          type: "allow",
          resource: { type: "group", name: "schema-registry.kafkasql.", patternType: "prefix" },
          operations: ["Read"],
        },
        topicAcl("schema-registry.events", ["Describe", "DescribeConfigs", "Write"]),
        topicAcl("schema-registry.journal", ["Describe", "DescribeConfigs", "Read", "Write"]),
        topicAcl("schema-registry.snapshots", ["Describe", "DescribeConfigs", "Read", "Write"]),
      ]);
      expect(
        field(user, "spec", "authentication", "password", "valueFrom", "secretKeyRef"),
      ).toEqual({ name: "schema-registry-scram-password", key: "password" });
      // RF 3 and min ISR 2 like every topic; delete with unlimited retention, the settings
      // Apicurio verifies before it starts (it refuses a compacted journal).
      for (const name of [
        "schema-registry.events",
        "schema-registry.journal",
        "schema-registry.snapshots",
      ]) {
        const topic = built.objects.find(
          (o) => o.kind === "KafkaTopic" && o.metadata.name === name,
        );
        expect(field(topic, "spec", "replicas")).toBe(3);
        expect(field(topic, "spec", "partitions")).toBe(1);
        expect(field(topic, "spec", "config")).toEqual({
          "cleanup.policy": "delete",
          "min.insync.replicas": "2",
          "retention.bytes": "-1",
          "retention.ms": "-1",
        });
      }
    },
  );

  it("is enabled in every environment's stacks", () => {
    expect(listStacks().filter((s) => loadStack(s).config.schemaRegistry.enabled)).toEqual(
      listStacks(),
    );
  });

  it("reaches Kafka with the delivered Secret, never a literal credential", () => {
    const chart = buildStack(dev).charts.find((c) => c.name === "schema-registry");
    const env = field(
      chart?.objects.find((o) => o.kind === "Deployment"),
      "spec",
      "template",
      "spec",
      "containers",
      0,
      "env",
    ) as { name: string; value?: string; valueFrom?: unknown }[];
    const byName = new Map(env.map((e) => [e.name, e]));
    expect(byName.get("KAFKA_PASSWORD")?.valueFrom).toEqual({
      secretKeyRef: { name: "kafka-schema-registry", key: "password" },
    });
    expect(byName.get("APICURIO_KAFKASQL_BOOTSTRAP_SERVERS")?.valueFrom).toEqual({
      secretKeyRef: { name: "kafka-schema-registry", key: "bootstrap.servers" },
    });
    expect(byName.get("APICURIO_KAFKA_COMMON_SASL_JAAS_CONFIG")?.value).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="$(KAFKA_USERNAME)" password="$(KAFKA_PASSWORD)";',
    );
    expect(byName.get("APICURIO_KAFKASQL_TOPIC_AUTO_CREATE")?.value).toBe("false");
  });

  it("admits only client namespaces to the API and Prometheus to the management port", () => {
    const policy = buildStack(dev).objects.find(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name === "schema-registry",
    );
    expect(field(policy, "spec", "ingress")).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kafka-platform.chat/client": "true" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
      {
        from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ],
        ports: [{ protocol: "TCP", port: 9000 }],
      },
    ]);
  });

  it("a stack without the registry has neither its topics nor its user", () => {
    const off = {
      ...dev,
      config: { ...dev.config, schemaRegistry: { enabled: false, replicas: 1 } },
    };
    // Rendered without the lock check: the locks record the registry's topics, whose removal
    // is a destructive change needing an acknowledgement (tested with the catalog locks).
    const model = buildPlatformModel(off);
    const objects = renderStack(model).flatMap((c) => c.objects);
    expect(objects.filter((o) => o.metadata.name.startsWith("schema-registry"))).toEqual([]);
    expect(model.topics.filter((t) => t.name.startsWith("schema-registry."))).toEqual([]);
    expect(model.subjects).toEqual([]);
  });
});

describe("compatibility overrides", () => {
  it("a mode that does not exist is refused with the file, the field and the allowed modes", () => {
    expect(
      problems(() =>
        parseStackConfig(
          {
            ...dev.config,
            schemaRegistry: {
              ...dev.config.schemaRegistry,
              compatibility: { "audit.log-value": "BACKWARDS" },
            },
          },
          "Pulumi.dev.yaml",
        ),
      ),
    ).toEqual([
      'Pulumi.dev.yaml: schemaRegistry.compatibility.audit.log-value: got "BACKWARDS" (allowed: BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE)',
    ]);
  });

  it("an override for a subject the stack does not have is refused at render, listing the subjects", () => {
    const stack = {
      ...dev,
      config: {
        ...dev.config,
        schemaRegistry: {
          ...dev.config.schemaRegistry,
          compatibility: { "audit.logs-value": "NONE" as const },
        },
      },
    };
    const [issue, ...rest] = problems(() => buildStack(stack));
    expect(rest).toEqual([]);
    expect(issue).toMatch(
      /^Pulumi\.dev\.yaml: config\.kafka-platform:schemaRegistry\.compatibility\.audit\.logs-value: "audit\.logs-value" is not a subject of this stack \(subjects are <topic>-value\) \(allowed: analytics\.events-value, audit\.log-value, chat\.events-value, /,
    );
  });

  it("a stack override wins over the BACKWARD default", () => {
    const stack = {
      ...dev,
      config: {
        ...dev.config,
        schemaRegistry: {
          ...dev.config.schemaRegistry,
          compatibility: { "audit.log-value": "FULL" as const },
        },
      },
    };
    const subjects = buildStack(stack).model.subjects;
    expect(subjects.find((s) => s.subject === "audit.log-value")).toMatchObject({
      compatibility: "FULL",
      compatibilitySource: "stack",
    });
    expect(subjects.find((s) => s.subject === "chat.events-value")).toMatchObject({
      compatibility: "BACKWARD",
      compatibilitySource: "default",
    });
    // Dead-letter and component topics are no subjects.
    expect(
      subjects.some((s) => s.topic.startsWith("dlq.") || s.topic.startsWith("schema-registry.")),
    ).toBe(false);
  });

  it("a catalog entry with an unknown mode is refused naming topics/catalog.ts and the modes", () => {
    const catalog: TopicDefinition[] = topicCatalog.map((t) =>
      t.name === "audit.log" ? { ...t, compatibility: "SOMETIMES" } : t,
    );
    const index = catalog.findIndex((t) => t.name === "audit.log");
    expect(validateCatalog(catalog, services).map(formatIssue)).toEqual([
      `topics/catalog.ts: topics[${index}].compatibility: unknown compatibility mode "SOMETIMES" (allowed: BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE)`,
    ]);
    expect(() => resolveTopics({ environment: "dev", tenants: ["acme"], catalog })).toThrow(
      ValidationError,
    );
  });
});
