import { LocalCluster } from "./cluster.ts";
import { intOption, progress, stringOption } from "./cli-support.ts";
import { DEFAULT_DEV_INSTANCE, DEFAULT_DEV_PORT_BASE } from "./instance-defaults.ts";

export { DEFAULT_DEV_INSTANCE, DEFAULT_DEV_PORT_BASE };

/** --instance / --port-base, shared by every verb of both CLIs. */
export const instanceOptions = {
  instance: {
    type: "string",
    short: "i",
    default: process.env.KP_LOCAL_INSTANCE ?? DEFAULT_DEV_INSTANCE,
  },
  "port-base": {
    type: "string",
    short: "p",
    default: process.env.KP_LOCAL_PORT_BASE ?? String(DEFAULT_DEV_PORT_BASE),
  },
} as const;

export function clusterFromOptions(
  values: Record<string, string | boolean | undefined>,
  log: (line: string) => void = progress,
): LocalCluster {
  return new LocalCluster({
    instance: stringOption(values, "instance") ?? DEFAULT_DEV_INSTANCE,
    portBase: intOption(values, "port-base", DEFAULT_DEV_PORT_BASE),
    log,
  });
}
