import { CUSTOM_RESOURCE_METRICS } from "../charts/monitoring/kube-state-metrics.ts";
import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/**
 * A Strimzi custom resource of the stack whose Ready condition is not True (or missing) for
 * 15 minutes: the operator could not reconcile it (a rejected topic change, a user whose
 * password Secret is missing, a node pool that cannot roll). From kube-state-metrics.
 */
export function customResourceAlerts(ctx: AlertContext): AlertGroup {
  const names = CUSTOM_RESOURCE_METRICS.join("|");
  return {
    name: "kafka-custom-resources",
    alerts: [
      {
        alert: "KafkaCustomResourceNotReady",
        severity: "warning",
        expr:
          `max by (customresource_kind, exported_namespace, name, reason) (` +
          `{__name__=~${promString(names)}, exported_namespace=${promString(ctx.namespace)}, ready!="True"})`,
        for: "15m",
        summary: "A Strimzi resource is not Ready.",
        description:
          "{{ $labels.customresource_kind }} {{ $labels.name }} in {{ $labels.exported_namespace }} has not been Ready for 15 minutes (reason: {{ if $labels.reason }}{{ $labels.reason }}{{ else }}no Ready condition{{ end }}).",
      },
    ],
  };
}
