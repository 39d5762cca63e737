import { promString } from "./selectors.ts";
import type { AlertContext, AlertGroup } from "./types.ts";

/**
 * The Schema Registry (Apicurio, scraped by its PodMonitor on the management port, so its
 * series carry `job="<namespace>/schema-registry"`). Only for stacks that run it.
 * - SchemaRegistryDown: fewer replicas up than configured (warning), none (critical).
 * - SchemaRegistryErrorRateHigh: more than 5 % of API requests answered 5xx for 10 minutes
 *   (Apicurio's own `rest_requests_seconds_count{status_code_group}`, read off a running 3.3.3;
 *   it exports no `http_server_requests_*`); 4xx are the clients' (an incompatible schema is a
 *   409) and do not count.
 */
export function schemaRegistryAlerts(ctx: AlertContext): AlertGroup {
  const r = ctx.schemaRegistry;
  if (r === undefined) return { name: "schema-registry", alerts: [] };
  const sel = `namespace=${promString(r.namespace)}, job=${promString(r.job)}`;
  const up = `(sum by (namespace) (up{${sel}}) or sum by (namespace) (0 * absent(up{${sel}})))`;
  const requests = `rest_requests_seconds_count{${sel}}`;
  const errors = `rest_requests_seconds_count{${sel}, status_code_group="5xx"}`;
  return {
    name: "schema-registry",
    alerts: [
      ...(r.replicas > 1
        ? [
            {
              alert: "SchemaRegistryDown",
              severity: "warning" as const,
              expr: `${up} < ${r.replicas}`,
              for: "5m",
              summary: "The Schema Registry runs with fewer replicas than configured.",
              description: `Only {{ $value }} of ${r.replicas} Schema Registry replicas in {{ $labels.namespace }} are up.`,
            },
          ]
        : []),
      {
        alert: "SchemaRegistryDown",
        severity: "critical",
        expr: `${up} < 1`,
        for: "5m",
        summary: "The Schema Registry runs with fewer replicas than configured.",
        description:
          "No Schema Registry replica in {{ $labels.namespace }} is up: producers cannot register or look up new schemas, and consumers meeting an uncached schema id dead-letter after their retries.",
      },
      {
        alert: "SchemaRegistryErrorRateHigh",
        severity: "warning",
        expr: `sum by (namespace) (rate(${errors}[5m])) / sum by (namespace) (rate(${requests}[5m])) > 0.05`,
        for: "10m",
        summary: "The Schema Registry answers many requests with server errors.",
        description:
          "{{ $value | humanizePercentage }} of Schema Registry requests in {{ $labels.namespace }} failed with 5xx over the last 5 minutes.",
      },
    ],
  };
}
