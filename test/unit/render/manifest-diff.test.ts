import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../charts/index.ts";
import { diffManifests } from "../../../charts/manifest-diff.ts";
import { chartYaml, parseChartYaml } from "../../../charts/manifest-yaml.ts";

const topic = (name: string, partitions: number): K8sObject => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaTopic",
  metadata: { name, namespace: "kafka" },
  spec: { partitions, replicas: 3 },
});

describe("diffManifests", () => {
  it("reports added, removed, changed (with line diff) and unchanged objects", () => {
    const diff = diffManifests(
      [topic("a.one", 3), topic("b.two", 6), topic("c.gone", 1)],
      [topic("a.one", 3), topic("b.two", 12), topic("d.new", 1)],
    );
    expect(diff.added).toEqual(["KafkaTopic kafka/d.new"]);
    expect(diff.removed).toEqual(["KafkaTopic kafka/c.gone"]);
    expect(diff.unchanged).toBe(1);
    expect(diff.changed).toEqual([
      {
        key: "KafkaTopic kafka/b.two",
        lines: [
          "    namespace: kafka",
          "  spec:",
          "-   partitions: 6",
          "+   partitions: 12",
          "    replicas: 3",
        ],
      },
    ]);
  });

  it("finds nothing to do when the objects are the same", () => {
    const objs = [topic("a.one", 3)];
    expect(diffManifests(objs, objs)).toEqual({
      added: [],
      removed: [],
      changed: [],
      unchanged: 1,
    });
  });

  it("round-trips a chart through its YAML file", () => {
    const chart = { name: "kafka-topics", objects: [topic("a.one", 3), topic("b.two", 6)] };
    const text = chartYaml("dev", chart);
    expect(text.startsWith("# Chart kafka-topics of stack dev")).toBe(true);
    expect(parseChartYaml(text)).toEqual(chart.objects);
  });
});
