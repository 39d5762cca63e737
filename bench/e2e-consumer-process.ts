import { createKafkaClient, loadConnectionConfig } from "../client/index.ts";
import { nowMs } from "./stats.ts";

/**
 * The consuming side of the bench's end-to-end run, in a process of its own as a service would
 * run it: message-processor's consumer, connected from KAFKA_* variables like a service pod.
 * It measures envelope timestamp → handler per message and talks to the bench over IPC:
 * it sends `{ count }` every 100 ms; `reset` clears what it measured, `report` asks for the
 * latencies, `stop` stops the consumer (committing) and exits.
 */

type Command = { type: "reset"; fromMs: number } | { type: "report" } | { type: "stop" };

const topic = process.argv[2];
if (topic === undefined || process.send === undefined) {
  console.error("usage: started by bench/module-perf.ts with the topic as argument, over IPC");
  process.exit(2);
}
const send = (message: object): void => {
  process.send?.(message);
};

let latencies: number[] = [];
let fromMs = 0;
let received = 0;
const consumer = createKafkaClient({
  service: "message-processor",
  connection: loadConnectionConfig(),
}).consumer({
  topics: [topic as `chat.messages.${string}`],
  concurrency: 8,
  handler: (envelope) => {
    received++;
    const stamped = Date.parse(envelope.timestamp);
    if (stamped >= fromMs) latencies.push(nowMs() - stamped);
    return Promise.resolve();
  },
});

process.on("message", (command: Command) => {
  if (command.type === "reset") {
    latencies = [];
    received = 0;
    fromMs = command.fromMs;
  } else if (command.type === "report") send({ type: "latencies", latencies });
  else
    void consumer.stop().finally(() => {
      process.exit(0);
    });
});
const ticker = setInterval(() => send({ type: "count", count: received }), 100);
ticker.unref();
await consumer.start();
