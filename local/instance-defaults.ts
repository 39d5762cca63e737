/**
 * Default instance of the developer CLI (tests use "test"/19000, see docs/local-cluster.md).
 * A module of its own, without imports: the render command reads these at start, and loading
 * local/cluster.ts for two constants cost every render about 1.5 s of CPU.
 */
export const DEFAULT_DEV_INSTANCE = "dev";
export const DEFAULT_DEV_PORT_BASE = 59000;
