import { describe, expect, it } from "vitest";
import { renderedPrometheusRule, ruleFileFromPrometheusRule } from "../../../alerts/rule-file.ts";
import { buildPlatformModel } from "../../../charts/model.ts";
import { loadStack } from "../../../infra/config/load.ts";
import { parse } from "yaml";
import { alertCases } from "./alert-cases.ts";
import { checkRules, requirePromtool, testRules } from "./promtool.ts";

// The prod-eu-west-1 stack with mirroring switched on as it will be once MirrorMaker 2 is
// deployed (the schema refuses it in stack files until then), so every alert exists.
const prod = loadStack("prod-eu-west-1");
const mirroring = {
  ...prod,
  config: {
    ...prod.config,
    mirrorMaker: { ...prod.config.mirrorMaker, enabled: true, replicas: 2 },
  },
};
const ruleFile = ruleFileFromPrometheusRule(renderedPrometheusRule(buildPlatformModel(mirroring)));
const allRules = (
  parse(ruleFile) as {
    groups: { rules: { alert?: string; record?: string; labels?: { severity: string } }[] }[];
  }
).groups.flatMap((g) => g.rules);
const rules = allRules.filter(
  (r): r is { alert: string; labels: { severity: string } } => r.alert !== undefined,
);
const alertNames = [...new Set(rules.map((r) => r.alert))].sort();

describe("alert rules under promtool", () => {
  it("promtool is installed (Debian package prometheus)", () => {
    expect(() => requirePromtool()).not.toThrow();
  });

  it("a missing promtool is a failure that says how to install it, not a skip", () => {
    expect(() => requirePromtool("/nonexistent/promtool")).toThrow(
      /promtool not found \(\/nonexistent\/promtool\): install Debian's prometheus package/,
    );
  });

  it("the rendered rule file passes promtool check rules", () => {
    const r = checkRules(ruleFile);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain(`SUCCESS: ${allRules.length} rules found`);
  });

  it("every alert has promtool cases: each severity fires somewhere, and a case where it stays silent", () => {
    expect(Object.keys(alertCases).sort()).toEqual(alertNames);
    for (const name of alertNames) {
      const tests = alertCases[name]!.flatMap((c) => c.alert_rule_test);
      expect(
        tests.every((t) => t.alertname === name),
        name,
      ).toBe(true);
      const fired = new Set(tests.flatMap((t) => t.exp_alerts.map((a) => a.exp_labels.severity)));
      const severities = new Set(
        rules.filter((r) => r.alert === name).map((r) => r.labels.severity),
      );
      expect([...fired].sort(), name).toEqual([...severities].sort());
      expect(
        tests.some((t) => t.exp_alerts.length === 0),
        `${name} has no silent case`,
      ).toBe(true);
    }
  });

  it.each(alertNames)("promtool test rules: %s", (name) => {
    const r = testRules(ruleFile, alertCases[name]!);
    expect(r.ok, `promtool test rules failed (exit ${r.status}):\n${r.output}`).toBe(true);
    expect(r.output).toContain("SUCCESS");
  });
});
