import { parseArgs } from "node:util";
import { allNodePorts } from "../ports.ts";
import { localMonitoring } from "./local-monitoring.ts";

/**
 * tsx local/prometheus/cli.ts <up|down|alerts|query> — a loopback Prometheus for a running
 * local cluster instance (see docs/monitoring.md).
 */
const HELP = `Usage: tsx local/prometheus/cli.ts <command> [options]

Runs a real Prometheus (/usr/bin/prometheus) on 127.0.0.1:<port base>+25 that scrapes the
local cluster's nodes and evaluates the alert rules rendered for a stack.

Commands:
  up            start Prometheus (data under .cache/local/<instance>/prometheus/)
  down          stop it (by the pid it recorded)
  alerts        print the active alerts (pending and firing)
  query <expr>  run an instant PromQL query and print the result

Options:
  --instance <name>     local cluster instance (default: dev)
  --port-base <port>    its port base (default: 59000)
  --stack <stack>       stack whose rules to load (default: dev)
  --dry-run             up: print what would be started and scraped, start nothing
  -h, --help            this help
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      instance: { type: "string", default: "dev" },
      "port-base": { type: "string", default: "59000" },
      stack: { type: "string", default: "dev" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const portBase = Number(values["port-base"]);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65505) {
    process.stderr.write(
      `--port-base: must be a whole number from 1024 to 65505, got ${values["port-base"]}\n`,
    );
    return 2;
  }
  const prometheus = localMonitoring({
    instance: values.instance,
    portBase,
    nodes: allNodePorts(portBase),
    stack: values.stack,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  switch (command) {
    case "up":
      if (values["dry-run"]) {
        process.stdout.write(
          `would start Prometheus on ${prometheus.url}, scraping ${allNodePorts(portBase)
            .map((n) => `127.0.0.1:${n.metrics}`)
            .join(", ")} with the ${values.stack} stack's alert rules\n`,
        );
        return 0;
      }
      await prometheus.start();
      process.stdout.write(`Prometheus on ${prometheus.url} (log ${prometheus.logPath})\n`);
      return 0;
    case "down":
      await prometheus.stop();
      return 0;
    case "alerts":
      for (const a of await prometheus.api.alerts()) {
        process.stdout.write(
          `${a.state.padEnd(8)} ${a.labels.alertname} ${JSON.stringify(a.labels)}\n`,
        );
      }
      return 0;
    case "query": {
      const expr = rest.join(" ");
      if (expr === "") {
        process.stderr.write("query: give a PromQL expression\n");
        return 2;
      }
      for (const s of await prometheus.api.query(expr)) {
        process.stdout.write(`${JSON.stringify(s.metric)} ${s.value[1]}\n`);
      }
      return 0;
    }
    default:
      process.stderr.write(
        `unknown command "${command}"; allowed: up, down, alerts, query\n\n${HELP}`,
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
