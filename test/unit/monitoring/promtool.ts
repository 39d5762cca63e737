import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/**
 * Runs Debian's promtool (package `prometheus`). A missing promtool is an error, never a skip:
 * the alert tests are part of `npm test` and must not pass by not running.
 */
export const PROMTOOL = process.env.PROMTOOL ?? "promtool";

export interface PromtoolResult {
  readonly ok: boolean;
  readonly status: number | null;
  /** stdout and stderr together (a failing `test rules` exits 1 and may print no summary). */
  readonly output: string;
}

export function requirePromtool(binary: string = PROMTOOL): void {
  const r = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `promtool not found (${binary}): install Debian's prometheus package ` +
        `(apt-get install -y --no-install-recommends prometheus) or set PROMTOOL=/path/to/promtool`,
    );
  }
}

function run(args: string[], cwd: string): PromtoolResult {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8" });
  if (r.error) throw new Error(`could not run ${PROMTOOL}: ${r.error.message}`);
  return { ok: r.status === 0, status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Writes the files into a fresh directory, runs promtool there and removes the directory. */
export function promtoolWith(files: Record<string, string>, args: string[]): PromtoolResult {
  requirePromtool();
  const dir = mkdtempSync(join(tmpdir(), "kp-promtool-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return run(args, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkRules(ruleFile: string): PromtoolResult {
  return promtoolWith({ "rules.yaml": ruleFile }, ["check", "rules", "rules.yaml"]);
}

/** The subset of promtool's unit-test format this repository uses. */
export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}
export interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly ExpectedAlert[];
}
/** A check of a recording rule (or any expression) at one time. */
export interface PromqlExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}
export interface PromtoolTestCase {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly AlertRuleTest[];
  readonly promql_expr_test?: readonly PromqlExprTest[];
}

export function testRules(ruleFile: string, tests: readonly PromtoolTestCase[]): PromtoolResult {
  const testFile = stringify(
    { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
  return promtoolWith({ "rules.yaml": ruleFile, "tests.yaml": testFile }, [
    "test",
    "rules",
    "tests.yaml",
  ]);
}
