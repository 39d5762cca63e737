import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { REPO_ROOT } from "../../../infra/config/load.ts";

/** A path inside a stack file's `config:` map, first segment without the project prefix. */
export type ConfigPath = readonly (string | number)[];

export type StackMutation =
  | { readonly set: ConfigPath; readonly value: unknown }
  | { readonly delete: ConfigPath }
  | { readonly setRaw: string; readonly value: unknown }
  | { readonly replaceText: string };

const PROJECT_PREFIX = "kafka-platform:";

function configPath(path: ConfigPath): (string | number)[] {
  const [first, ...rest] = path;
  return ["config", `${PROJECT_PREFIX}${String(first)}`, ...rest];
}

/** The text of `Pulumi.<stack>.yaml` from this repository with the mutations applied. */
export function mutatedStackText(stack: string, mutations: readonly StackMutation[]): string {
  const original = readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
  const replace = mutations.find((m) => "replaceText" in m);
  if (replace && "replaceText" in replace) return replace.replaceText;
  const doc = parseDocument(original);
  for (const m of mutations) {
    if ("set" in m) doc.setIn(configPath(m.set), m.value);
    else if ("delete" in m) doc.deleteIn(configPath(m.delete));
    else if ("setRaw" in m) doc.setIn(["config", m.setRaw], m.value);
  }
  return doc.toString();
}

/** A fresh temporary repository root holding only the (mutated) stack file. */
export function tempStackRoot(stack: string, mutations: readonly StackMutation[]): string {
  const root = mkdtempSync(join(tmpdir(), "kafka-platform-stack-"));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, `Pulumi.${stack}.yaml`), mutatedStackText(stack, mutations));
  return root;
}
