import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

export const CERTIFICATE_WARNING_DAYS = 30;
export const CERTIFICATE_CRITICAL_DAYS = 7;

/**
 * Strimzi's cluster and clients CAs (the Cluster Operator's strimzi_certificate_expiration_timestamp_ms,
 * labelled with the Kafka cluster, the certificate type and the Kafka namespace). Strimzi renews them
 * inside its renewal window; an alert here means renewal did not happen.
 */
export function certificateExpiryAlerts(ctx: AlertContext): AlertGroup {
  const remaining =
    `min by (cluster, resource_namespace, type) (` +
    `strimzi_certificate_expiration_timestamp_ms{cluster=${promString(ctx.cluster)}, resource_namespace=${promString(ctx.namespace)}} / 1000 - time())`;
  const description = (days: number): string =>
    `The {{ $labels.type }} certificate of cluster {{ $labels.cluster }} in {{ $labels.resource_namespace }} expires in {{ $value | humanizeDuration }} (threshold ${days} days).`;
  return {
    name: "kafka-certificate-expiry",
    alerts: [
      {
        alert: "KafkaCertificateExpiringSoon",
        severity: "warning",
        expr: `${remaining} < ${CERTIFICATE_WARNING_DAYS} * 86400`,
        for: "1h",
        summary: "A Strimzi-managed certificate expires soon.",
        description: description(CERTIFICATE_WARNING_DAYS),
      },
      {
        alert: "KafkaCertificateExpiringSoon",
        severity: "critical",
        expr: `${remaining} < ${CERTIFICATE_CRITICAL_DAYS} * 86400`,
        for: "10m",
        summary: "A Strimzi-managed certificate expires soon.",
        description: description(CERTIFICATE_CRITICAL_DAYS),
      },
    ],
  };
}
