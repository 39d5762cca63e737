import { defineConfig } from "vitest/config";

// Five projects: `unit` is pure and parallel (the fast tier), `commands` runs whole commands; `integration` runs one file at a time against
// the real 3-broker Kafka cluster that its global setup starts on loopback and stops after;
// `control-plane` runs against a real Kubernetes control plane and a Kafka cluster of its own.
// `npm test` (scripts/test.sh) runs unit and commands first, then integration, control-plane and
// regions side by side in three vitest processes: within one process vitest would run
// one-file-at-a-time projects one after the other even in the same group. `vitest run` alone
// keeps the group order.
/** Unit-level tests of whole commands (render runs, a connect timeout): seconds each. */
const COMMAND_TESTS = [
  "test/unit/config/bad-stack-config.test.ts",
  "test/unit/catalog/bad-catalog.test.ts",
  "test/unit/render/render-command.test.ts",
  "test/unit/client/unreachable.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // The fast tier (npm run test:unit) leaves out what runs whole commands in child
          // processes or waits on a network timeout: the `commands` project below.
          exclude: COMMAND_TESTS,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "commands",
          include: COMMAND_TESTS,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
      // Two local regions with MirrorMaker 2 between them (test/regions/global-setup.ts,
      // decision 0013): two clusters of their own, one file.
      {
        test: {
          name: "regions",
          include: ["test/regions/**/*.test.ts"],
          globalSetup: ["test/regions/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 400_000,
          sequence: { groupOrder: 3 },
        },
      },
      // The real control plane (test/control-plane/global-setup.ts): the Pulumi engine and
      // providers, kube-apiserver and Strimzi's operators, against a Kafka instance of its
      // own. After the integration project, one file at a time.
      {
        test: {
          name: "control-plane",
          include: ["test/control-plane/**/*.test.ts"],
          globalSetup: ["test/control-plane/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
