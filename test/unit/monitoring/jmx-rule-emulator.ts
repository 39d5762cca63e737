import type { JmxExporterConfig } from "../../../charts/monitoring/jmx-exporter-rules.ts";

/**
 * A small emulation of how the JMX Prometheus exporter applies rules to one bean attribute,
 * for checking the rules without a JVM: the exporter builds
 * `domain<k1=v1, k2=v2><>attribute: value`, tries each rule's regex unanchored, takes the
 * first match, substitutes the captures into name and labels, lowercases the name and turns
 * every character outside [a-zA-Z0-9:_] into `_` (runs of `_` collapse), and gives counters a
 * `_total` suffix. The live tests check
 * the same rules against the real javaagent.
 */
export interface EmulatedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
}

function safeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9:_]/g, "_").replace(/__+/g, "_");
}

/** `objectName` as in JMX, e.g. `kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions`. */
export function emulateRule(
  config: JmxExporterConfig,
  objectName: string,
  attribute: string,
  value: string,
): EmulatedSample | undefined {
  const [domain, props] = objectName.split(":", 2) as [string, string];
  const keyed = props
    .split(",")
    .map((kv) => kv.split("=", 2).join("="))
    .join(", ");
  const line = `${domain}<${keyed}><>${attribute}: ${value}`;
  for (const rule of config.rules) {
    const re = new RegExp(`^.*(?:${rule.pattern}).*$`);
    const m = re.exec(line);
    if (!m) continue;
    const sub = (t: string): string => t.replace(/\$(\d+)/g, (_, g: string) => m[Number(g)] ?? "");
    let name = sub(rule.name);
    if (config.lowercaseOutputName) name = name.toLowerCase();
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(rule.labels ?? {})) labels[safeName(sub(k))] = sub(v);
    name = safeName(name);
    // Exporter 1.x (client_java 1.x) exposes every COUNTER with a `_total` suffix.
    if (rule.type === "COUNTER" && !name.endsWith("_total")) name = `${name}_total`;
    return { name, labels };
  }
  return undefined;
}
