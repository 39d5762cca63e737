import { describe, expect, it } from "vitest";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { PLATFORM_ADMIN_USER, services } from "../../../acl/services.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";
import { expectedGrants } from "../support/expected-grants.ts";

/**
 * The full ACL matrix: each service's KafkaUser allows exactly what acl/services.ts declares.
 * Expectations come from the declarations by a route of their own (not deriveServiceAccess):
 * see test/unit/support/expected-grants.ts.
 */
type Grant = string; // `<resourceType> <patternType> <name> <operation>`

interface RenderedAcl {
  type?: string;
  host?: string;
  resource: { type: string; name?: string; patternType?: string };
  operations: string[];
}

function renderedGrants(acls: readonly RenderedAcl[]): Grant[] {
  return acls
    .flatMap((a) =>
      a.operations.map(
        (op) =>
          `${a.resource.type} ${a.resource.patternType ?? "literal"} ${a.resource.name} ${op}`,
      ),
    )
    .sort();
}

describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  // The services' users; MirrorMaker's (test/unit/charts/mirror-maker.test.ts) are derived apart.
  const users = ofKind(rendered.objects, "KafkaUser").filter((u) => !isMirrorMakerUser(u));
  const topicNames = ofKind(rendered.objects, "KafkaTopic").map(
    (t) => field(t, "spec", "topicName") as string,
  );
  const aclsOf = (user: string): RenderedAcl[] =>
    (field(
      users.find((u) => u.metadata.name === user),
      "spec",
      "authorization",
      "acls",
    ) ?? []) as RenderedAcl[];

  it("has one KafkaUser per declared service, plus the platform admin, all SCRAM-SHA-512", () => {
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      [
        ...services.map((s) => s.name),
        PLATFORM_ADMIN_USER,
        // The Schema Registry is a Kafka client too (acl/schema-registry.ts).
        ...(rendered.model.config.schemaRegistry.enabled ? ["schema-registry"] : []),
      ].sort(),
    );
    for (const u of users) {
      // A service's password comes from the Secret the stack writes (decision 0006); the
      // admin's is the User Operator's.
      expect(field(u, "spec", "authentication")).toEqual(
        u.metadata.name === PLATFORM_ADMIN_USER
          ? { type: "scram-sha-512" }
          : {
              type: "scram-sha-512",
              password: {
                valueFrom: {
                  secretKeyRef: { name: `${u.metadata.name}-scram-password`, key: "password" },
                },
              },
            },
      );
      expect(u.metadata.labels?.["strimzi.io/cluster"]).toBe(rendered.model.config.cluster.name);
    }
  });

  it("gives the platform admin no ACLs: it is the super user", () => {
    const admin = users.find((u) => u.metadata.name === PLATFORM_ADMIN_USER);
    expect(field(admin, "spec", "authorization")).toBeUndefined();
  });

  for (const s of services) {
    it(`allows ${s.name} exactly what it declares`, () => {
      const user = users.find((u) => u.metadata.name === s.name);
      expect(field(user, "spec", "authorization", "type")).toBe("simple");
      expect(renderedGrants(aclsOf(s.name))).toEqual(expectedGrants(s));
    });
  }

  it("has no wildcards, no cluster ACLs, no host filters, no deny rules, and uses `operations`", () => {
    for (const u of users) {
      for (const acl of aclsOf(u.metadata.name)) {
        expect(acl.resource.name ?? "").not.toMatch(/^\*?$|\*/);
        expect(acl.resource.type).not.toBe("cluster");
        expect(acl.type).toBe("allow");
        expect(acl.host).toBeUndefined();
        expect(acl).not.toHaveProperty("operation");
        expect(acl.operations.length).toBeGreaterThan(0);
        expect(acl.operations).not.toContain("All");
      }
    }
  });

  it("uses prefixes only for the per-tenant family, <service>.tx. transactional ids and <service>.broadcast. groups", () => {
    for (const u of users) {
      for (const acl of aclsOf(u.metadata.name).filter(
        (a) => a.resource.patternType === "prefix",
      )) {
        const allowed =
          acl.resource.type === "topic"
            ? ["chat.messages."]
            : acl.resource.type === "transactionalId"
              ? [`${u.metadata.name}.tx.`]
              : acl.resource.type === "group"
                ? [`${u.metadata.name}.broadcast.`, `${u.metadata.name}.kafkasql.`]
                : [];
        expect(allowed, `${u.metadata.name}: ${JSON.stringify(acl.resource)}`).toContain(
          acl.resource.name,
        );
      }
    }
  });

  it("grants topic ACLs only on topics the stack renders (prefixes cover at least one)", () => {
    for (const u of users) {
      for (const acl of aclsOf(u.metadata.name).filter((a) => a.resource.type === "topic")) {
        const name = acl.resource.name ?? "";
        const covered =
          acl.resource.patternType === "prefix"
            ? topicNames.filter((t) => t.startsWith(name))
            : topicNames.filter((t) => t === name);
        expect(covered.length, `${u.metadata.name} → ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it("matches hand-written rows for three services", () => {
    expect(renderedGrants(aclsOf("audit-service"))).toEqual(
      [
        "group literal audit-service Read",
        "topic literal audit.log Describe",
        "topic literal audit.log Read",
        "topic literal dlq.audit-service Describe",
        "topic literal dlq.audit-service Write",
      ].sort(),
    );
    expect(renderedGrants(aclsOf("search-indexer"))).toEqual(
      [
        "group literal search-indexer Read",
        "topic literal chat.events Describe",
        "topic literal chat.events Read",
        "topic prefix chat.messages. Describe",
        "topic prefix chat.messages. Read",
        "topic literal dlq.search-indexer Describe",
        "topic literal dlq.search-indexer Write",
      ].sort(),
    );
    const processor = renderedGrants(aclsOf("message-processor"));
    expect(processor).toContain("transactionalId prefix message-processor.tx. Write");
    expect(processor).toContain("transactionalId prefix message-processor.tx. Describe");
    expect(processor).toContain("topic literal internal.message-processor.commands Read");
    expect(processor).not.toContain("topic prefix chat.messages. Write");
  });
});
