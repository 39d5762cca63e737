import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFile } from "../node-config.ts";
import { aclKey, type AclBinding } from "./types.ts";

/**
 * ACL bindings another local tool adds to an instance beyond the catalog, recorded in
 * `.cache/local/<instance>/acl-overlay.json` by owner, so that `apply` keeps them instead of
 * removing them as drift. The regions tool records there the consumers' read access to the
 * peer's copies under prefixed names (active-active), which the stack's KafkaUsers carry in
 * Kubernetes but the dev catalog alone does not; in active-passive it records none, and the
 * next apply removes what an earlier active-active left.
 */
type Overlay = Record<string, readonly AclBinding[]>;

const FILE = "acl-overlay.json";

function read(dir: string): Overlay {
  const path = join(dir, FILE);
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected an object of ACL binding lists by owner`);
  }
  return parsed as Overlay;
}

/** Records `bindings` as `owner`'s overlay for the instance in `dir` (replacing its last). */
export function writeAclOverlay(dir: string, owner: string, bindings: readonly AclBinding[]): void {
  const overlay = { ...read(dir), [owner]: bindings };
  writePrivateFile(join(dir, FILE), `${JSON.stringify(overlay, null, 2)}\n`);
}

/** Every owner's bindings for the instance in `dir`, each once, with its owner. */
export function readAclOverlay(dir: string): { owner: string; binding: AclBinding }[] {
  const seen = new Set<string>();
  return Object.entries(read(dir)).flatMap(([owner, bindings]) =>
    bindings.flatMap((binding) => {
      const key = aclKey(binding);
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ owner, binding }];
    }),
  );
}
