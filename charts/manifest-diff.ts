import type { K8sObject } from "./index.ts";
import { objectKey, objectYaml } from "./manifest-yaml.ts";

export interface ObjectChange {
  readonly key: string;
  /** Unified-style lines (`- old`, `+ new`, `  context`) of the object's YAML. */
  readonly lines: readonly string[];
}

export interface ManifestDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ObjectChange[];
  readonly unchanged: number;
}

/** Line diff by longest common subsequence; objects are small, so O(n·m) is fine. */
function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        before[i] === after[j]
          ? lcs[i + 1]![j + 1]! + 1
          : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push(`  ${before[i]}`);
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${before[i]}`);
      i++;
    } else {
      out.push(`+ ${after[j]}`);
      j++;
    }
  }
  return out;
}

/** Keeps changed lines with `context` lines around them; gaps become `  ...`. */
function withContext(lines: readonly string[], context: number): string[] {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (!l.startsWith("  ")) {
      for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++)
        keep.add(k);
    }
  });
  const out: string[] = [];
  let last = -1;
  [...keep]
    .sort((a, b) => a - b)
    .forEach((i) => {
      if (last >= 0 && i > last + 1) out.push("  ...");
      out.push(lines[i]!);
      last = i;
    });
  return out;
}

/** What applying `after` would do to a directory that holds `before`: added, changed, removed objects. */
export function diffManifests(
  before: readonly K8sObject[],
  after: readonly K8sObject[],
  context = 2,
): ManifestDiff {
  const old = new Map(before.map((o) => [objectKey(o), o] as const));
  const next = new Map(after.map((o) => [objectKey(o), o] as const));
  const added = [...next.keys()].filter((k) => !old.has(k)).sort();
  const removed = [...old.keys()].filter((k) => !next.has(k)).sort();
  const changed: ObjectChange[] = [];
  let unchanged = 0;
  for (const key of [...next.keys()].sort()) {
    const a = old.get(key);
    if (a === undefined) continue;
    const beforeYaml = objectYaml(a);
    const afterYaml = objectYaml(next.get(key)!);
    if (beforeYaml === afterYaml) {
      unchanged++;
      continue;
    }
    const lines = lineDiff(beforeYaml.trimEnd().split("\n"), afterYaml.trimEnd().split("\n"));
    changed.push({ key, lines: withContext(lines, context) });
  }
  return { added, removed, changed, unchanged };
}
