import { brokerMatchers, clusterMatchers, controllerMatchers } from "../alerts/selectors.ts";
import type { AlertContext } from "../alerts/types.ts";

/** The label matchers a dashboard of one stack uses (the same Strimzi pod labels as the alerts). */
export interface DashboardSelectors {
  readonly cluster: string;
  readonly brokers: string;
  readonly controllers: string;
}

export function dashboardSelectors(ctx: AlertContext): DashboardSelectors {
  return {
    cluster: clusterMatchers(ctx),
    brokers: brokerMatchers(ctx),
    controllers: controllerMatchers(ctx),
  };
}

/** Rate window of every dashboard query: fixed (not $__rate_interval) so promtool can type-check it. */
export const RATE_WINDOW = "5m";
