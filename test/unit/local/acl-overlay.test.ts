import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readAclOverlay, writeAclOverlay } from "../../../local/apply/acl-overlay.ts";
import type { AclBinding } from "../../../local/apply/types.ts";

const read = (name: string): AclBinding => ({
  principal: "User:search-indexer",
  resourceType: "topic",
  resourceName: name,
  patternType: "prefix",
  operation: "Read",
});

describe("an instance's ACL overlay", () => {
  const dir = mkdtempSync(join(tmpdir(), "kp-acl-overlay-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is empty without a file", () => {
    expect(readAclOverlay(dir)).toEqual([]);
  });

  it("keeps each owner's last bindings, each binding once, in a private file", () => {
    writeAclOverlay(dir, "regions", [
      read("eu-west-1.chat.messages."),
      read("eu-west-1.audit.log"),
    ]);
    writeAclOverlay(dir, "other", [read("eu-west-1.chat.messages.")]);
    expect(readAclOverlay(dir)).toEqual([
      { owner: "regions", binding: read("eu-west-1.chat.messages.") },
      { owner: "regions", binding: read("eu-west-1.audit.log") },
    ]);
    expect(statSync(join(dir, "acl-overlay.json")).mode & 0o777).toBe(0o600);
    // A switch back to active-passive: the owner's list is emptied, the other owner's stays.
    writeAclOverlay(dir, "regions", []);
    expect(readAclOverlay(dir)).toEqual([
      { owner: "other", binding: read("eu-west-1.chat.messages.") },
    ]);
  });
});
