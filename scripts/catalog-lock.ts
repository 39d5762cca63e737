/**
 * npm run catalog:lock -- [--stack <name>] [--check] [--help]
 *
 * Records each stack's resolved topics in topics/locks/<stack>.json, refusing while a change
 * that can lose data (deleted topic, fewer partitions, shorter retention, weaker replication,
 * cleanup policy switch) has no acknowledgement in topics/acknowledgements.ts. `--check` writes
 * nothing and fails when a lock is out of date or a destructive change is unacknowledged.
 */
import { parseArgs } from "node:util";
import { buildPlatformModel } from "../charts/model.ts";
import { listStacks, loadStack } from "../infra/config/load.ts";
import { checkAgainstLock, formatDestructiveChange, writeLock } from "../topics/catalog-lock.ts";
import { ValidationError } from "../topics/validation-error.ts";

const HELP = `Usage: npm run catalog:lock -- [options]

Updates topics/locks/<stack>.json from the catalog, the baseline that destructive topic
changes are detected against. Refuses while a destructive change is unacknowledged.

Options:
  --stack <name>  only this stack (default: every Pulumi.<stack>.yaml)
  --check         write nothing; exit 1 if a lock is stale or a change is unacknowledged
  -h, --help      show this help
`;

function main(): number {
  let values: { stack?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        check: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const stacks = values.stack !== undefined ? [values.stack] : listStacks();
  let failed = false;
  for (const stack of stacks) {
    const model = buildPlatformModel(loadStack(stack));
    const result = checkAgainstLock(stack, model.topics);
    for (const c of result.acknowledged)
      console.log(`${stack}: ${c.topic}: ${c.kind} (${c.detail}) — acknowledged`);
    if (result.unacknowledged.length > 0) {
      failed = true;
      for (const c of result.unacknowledged)
        console.error(`refused: ${formatDestructiveChange(stack, c)}`);
      continue;
    }
    if (!result.stale) {
      console.log(`${stack}: lock up to date (${model.topics.length} topics)`);
    } else if (values.check === true) {
      failed = true;
      console.error(
        `${stack}: topics/locks/${stack}.json is out of date: run npm run catalog:lock -- --stack ${stack}`,
      );
    } else {
      writeLock(stack, model.topics);
      console.log(`${stack}: lock written (${model.topics.length} topics)`);
    }
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof ValidationError) {
    console.error(e.message);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
