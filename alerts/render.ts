import type { AlertGroup } from "./types.ts";

/** Where the runbooks are browsed: docs/runbooks/<alert>.md of this repository's main branch. */
export const RUNBOOK_BASE_URL =
  "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks";

export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE_URL}/${alert}.md`;
}

/** One alerting rule as Prometheus (and the PrometheusRule CRD) spell it. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** The groups in Prometheus rule-file form: `spec.groups` of the PrometheusRule, and the `groups:` promtool reads. */
export function renderRuleGroups(groups: readonly AlertGroup[]): RuleGroup[] {
  return groups.map((g) => ({
    name: g.name,
    rules: [
      ...(g.recordingRules ?? []).map((r) => ({ record: r.record, expr: r.expr })),
      ...g.alerts.map((a) => ({
        alert: a.alert,
        expr: a.expr,
        for: a.for,
        labels: { severity: a.severity },
        annotations: {
          summary: a.summary,
          description: a.description,
          runbook_url: runbookUrl(a.alert),
        },
      })),
    ],
  }));
}
