/**
 * Which local cluster instance the integration project runs against. Each helper that runs
 * its own copy of the suite sets its own pair (the client module uses client/39000, the
 * monitoring live tests monitoring/29000); CI and `npm test` use the defaults.
 */
export const DEFAULT_TEST_INSTANCE = "test";
export const DEFAULT_TEST_PORT_BASE = 19000;

export interface TestClusterTarget {
  readonly instance: string;
  readonly portBase: number;
}

export function testClusterTarget(env: NodeJS.ProcessEnv = process.env): TestClusterTarget {
  const instance = env.KP_TEST_INSTANCE ?? DEFAULT_TEST_INSTANCE;
  const raw = env.KP_TEST_PORT_BASE ?? String(DEFAULT_TEST_PORT_BASE);
  const portBase = Number(raw);
  if (!Number.isInteger(portBase)) {
    throw new Error(`KP_TEST_PORT_BASE must be a whole number, got "${raw}"`);
  }
  return { instance, portBase };
}
