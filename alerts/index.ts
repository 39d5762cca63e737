import { activeControllerAlerts } from "./active-controller.ts";
import { certificateExpiryAlerts } from "./certificate-expiry.ts";
import { consumerLagAlerts } from "./consumer-lag.ts";
import { customResourceAlerts } from "./custom-resources.ts";
import { diskUsageAlerts } from "./disk-usage.ts";
import { isrShrinkAlerts } from "./isr-shrinks.ts";
import { kafkaExporterAlerts } from "./kafka-exporter.ts";
import { mirrorMakerAlerts } from "./mirror-maker.ts";
import { nodeDownAlerts } from "./node-down.ts";
import { offlineLogDirectoryAlerts } from "./offline-log-directories.ts";
import { offlinePartitionsAlerts } from "./offline-partitions.ts";
import { requestLatencyAlerts } from "./request-latency.ts";
import { schemaRegistryAlerts } from "./schema-registry.ts";
import type { AlertContext, AlertGroup } from "./types.ts";
import { underMinIsrAlerts } from "./under-min-isr.ts";
import { underReplicatedPartitionsAlerts } from "./under-replicated-partitions.ts";

export type { AlertContext, AlertDefinition, AlertGroup, Severity } from "./types.ts";
export { alertContextFromModel } from "./context.ts";
export { renderRuleGroups, runbookUrl, type RuleGroup, type AlertingRule } from "./render.ts";

/** Every alert group of a stack, in a fixed order; groups with no alerts (no mirroring, no consumer groups) are left out. */
export function alertGroups(ctx: AlertContext): AlertGroup[] {
  return [
    nodeDownAlerts(ctx),
    activeControllerAlerts(ctx),
    offlinePartitionsAlerts(ctx),
    underMinIsrAlerts(ctx),
    underReplicatedPartitionsAlerts(ctx),
    isrShrinkAlerts(ctx),
    offlineLogDirectoryAlerts(ctx),
    requestLatencyAlerts(ctx),
    diskUsageAlerts(ctx),
    consumerLagAlerts(ctx),
    kafkaExporterAlerts(ctx),
    certificateExpiryAlerts(ctx),
    customResourceAlerts(ctx),
    mirrorMakerAlerts(ctx),
    schemaRegistryAlerts(ctx),
  ].filter((g) => g.alerts.length > 0);
}
