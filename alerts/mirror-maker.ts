import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/** MirrorMaker 2 workers (pods of kind KafkaMirrorMaker2 in the Kafka namespace). Only for stacks that mirror. */
export function mirrorMakerAlerts(ctx: AlertContext): AlertGroup {
  if (ctx.mirrorMaker === undefined) return { name: "kafka-mirror-maker", alerts: [] };
  const m = `namespace=${promString(ctx.namespace)}, strimzi_io_kind="KafkaMirrorMaker2"`;
  const up = `(sum by (namespace) (up{${m}}) or sum by (namespace) (0 * absent(up{${m}})))`;
  const replicas = ctx.mirrorMaker.replicas;
  return {
    name: "kafka-mirror-maker",
    alerts: [
      {
        alert: "KafkaMirrorMaker2Down",
        severity: "warning",
        expr: `${up} < ${replicas}`,
        for: "5m",
        summary: "MirrorMaker 2 runs with fewer workers than configured.",
        description: `Only {{ $value }} of ${replicas} MirrorMaker 2 workers in {{ $labels.namespace }} are up.`,
      },
      {
        alert: "KafkaMirrorMaker2Down",
        severity: "critical",
        expr: `${up} < 1`,
        for: "5m",
        summary: "MirrorMaker 2 runs with fewer workers than configured.",
        description: `No MirrorMaker 2 worker in {{ $labels.namespace }} is up: topics from the other region are not mirrored.`,
      },
    ],
  };
}
