import { readFileSync, readdirSync } from "node:fs";
import { isMirrorMakerUser } from "../../../charts/mirror-maker-chart.ts";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { adminAclBindings, kafkaAclSpecs, strimziAcl } from "../../../acl/forms.ts";
import { REPO_ROOT } from "../../../infra/config/load.ts";
import { desiredState } from "../../../local/apply/desired-state.ts";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";

/**
 * Issue 14, item 8 (the ACL part): a derived ACL is spelt in its three forms (Strimzi
 * KafkaUser, @pulumi/kafka, Admin API) in one place, acl/forms.ts, and the three agree.
 */
const { model, objects } = renderedStacks().find((s) => s.stack === "prod-us-east-1")!;

describe("the three forms of the derived ACLs", () => {
  const admin = adminAclBindings(model.access);
  const pulumi = kafkaAclSpecs(model.access);
  const users = ofKind(objects, "KafkaUser").filter((u) => !isMirrorMakerUser(u));

  it("have one entry per (service, resource, operation), the same in every form", () => {
    const fromStrimzi = users.flatMap((u) =>
      (
        (field(u, "spec", "authorization", "acls") ?? []) as {
          resource: { type: string; name: string; patternType: string };
          operations: string[];
        }[]
      ).flatMap((acl) =>
        acl.operations.map(
          (op) =>
            `User:${u.metadata.name}|${acl.resource.type}|${acl.resource.patternType}|${acl.resource.name}|${op}`,
        ),
      ),
    );
    const fromAdmin = admin.map(
      (b) => `${b.principal}|${b.resourceType}|${b.patternType}|${b.resourceName}|${b.operation}`,
    );
    const words = {
      Topic: "topic",
      Group: "group",
      TransactionalID: "transactionalId",
      Cluster: "cluster",
    };
    const fromPulumi = pulumi.map(
      (s) =>
        `${s.principal}|${words[s.resourceType]}|${s.patternType === "Prefixed" ? "prefix" : "literal"}|${s.resourceName}|${s.operation}`,
    );
    expect(fromStrimzi.length).toBeGreaterThan(20);
    expect([...fromStrimzi].sort()).toEqual([...fromAdmin].sort());
    expect([...fromPulumi].sort()).toEqual([...fromAdmin].sort());
  });

  it("the rendered KafkaUsers and the local apply use exactly these forms", () => {
    for (const a of model.access) {
      const u = users.find((x) => x.metadata.name === a.username);
      expect(field(u, "spec", "authorization", "acls")).toEqual(
        a.acls.map((r) => JSON.parse(JSON.stringify(strimziAcl(r))) as unknown),
      );
    }
    expect(desiredState(model).acls).toEqual(admin);
  });

  it("no other module spells an ACL in one of the forms' vocabularies", () => {
    // Words only the translation needs: Pulumi's resource and pattern types, Strimzi's enum members.
    const spellings = /"TransactionalID"|"Prefixed"|AclsResourcePatternType\.|AclsOperations\./;
    const offenders: string[] = [];
    for (const dir of ["charts", "infra", "local", "scripts"]) {
      for (const entry of readdirSync(join(REPO_ROOT, dir), {
        recursive: true,
        withFileTypes: true,
      })) {
        if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
        const path = join(entry.parentPath, entry.name);
        if (path.includes(`${join("charts", "imports")}`)) continue;
        if (spellings.test(readFileSync(path, "utf8"))) offenders.push(relative(REPO_ROOT, path));
      }
    }
    expect(offenders).toEqual([]);
  });
});
