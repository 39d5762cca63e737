/**
 * `npm run capacity -- --stack <name>`: the disk each broker needs for a stack's catalog, per
 * topic (partitions, ingest, bytes per day, retention, size cap, disk, share of each broker),
 * against the broker pool's volumes. Exit 1 when the volumes are too small, as render refuses.
 */
import { parseArgs } from "node:util";
import { stackCapacityPlan } from "../charts/model.ts";
import { REPO_ROOT, listStacks, loadStack } from "../infra/config/load.ts";
import { formatCapacityTable } from "../topics/capacity.ts";
import { resolveTopics } from "../topics/resolve.ts";
import { ValidationError, formatIssue } from "../topics/validation-error.ts";

const HELP = `Usage: npm run capacity -- [--stack <name>] [--all]

Prints, for a stack, each topic's partitions, average and peak ingest, bytes per day,
retention, retention.bytes cap per partition, disk over all replicas, disk per broker and its
share of each broker's volumes; then the total per broker, the headroom and whether it fits.
The figures come from the catalog (topics/catalog.ts: capacity) and Pulumi.<stack>.yaml.

  per-broker disk = ingest × retention × replicas ÷ brokers × headroom ÷ compression
  (plus one open segment per partition; capped by retention.bytes where the catalog sets it)

Options:
  --stack <name>  the stack (default: dev); one of the Pulumi.<name>.yaml files
  --all           every stack
  --root <dir>    repository root holding the stack files (default: this repository)
  -h, --help      show this help

Exit status: 0 when every stack's volumes fit, 1 when one does not or its config is invalid,
2 on a usage error.`;

function main(argv: readonly string[]): number {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "dev" },
        all: { type: "boolean", default: false },
        root: { type: "string", default: REPO_ROOT },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`capacity: ${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const stacks = values.all ? listStacks(values.root) : [values.stack];
  let status = 0;
  for (const stack of stacks) {
    if (!listStacks(values.root).includes(stack)) {
      process.stderr.write(
        `capacity: no stack "${stack}" (allowed: ${listStacks(values.root).join(", ")})\n`,
      );
      return 1;
    }
    try {
      const { config, file } = loadStack(stack, values.root);
      const topics = resolveTopics({ environment: config.environment, tenants: config.tenants });
      const plan = stackCapacityPlan(config, topics);
      const pool = config.cluster.brokers.storage;
      process.stdout.write(
        `capacity ${stack} (${file}: ${config.environment}, ${config.tenants.length} tenants, ` +
          `${plan.brokers} brokers of ${pool.volumes} × ${pool.size})\n` +
          `${formatCapacityTable(plan)}\n\n`,
      );
      if (!plan.fits) status = 1;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      process.stderr.write(
        `capacity: ${stack}:\n${e.issues.map((i) => `  - ${formatIssue(i)}`).join("\n")}\n`,
      );
      status = 1;
    }
  }
  return status;
}

process.exitCode = main(process.argv.slice(2));
