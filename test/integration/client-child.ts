/**
 * A service process for the crash tests (client-crash / client-exactly-once), run as a real
 * child process that the test kills. Connection from env (KAFKA_*), like a deployed service.
 *   consumer <topic> <progress-file>             search-indexer, at least once
 *   processor <topic> <progress-file> <instance>  message-processor, exactly once into chat.events
 * Each handled input appends "<message_id>\n" to the progress file; SIGTERM stops gracefully.
 */
import { appendFileSync } from "node:fs";
import { createKafkaClient } from "../../client/index.ts";

const [mode, topic, progressFile, instance] = process.argv.slice(2);
if (topic === undefined || progressFile === undefined || !topic.startsWith("chat.messages.")) {
  console.error(
    "usage: client-child.ts consumer|processor chat.messages.<tenant> <progress-file> [instance]",
  );
  process.exit(2);
}
const input = topic as `chat.messages.${string}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (mode === "consumer") {
  const consumer = createKafkaClient({ service: "search-indexer" }).consumer({
    topics: [input],
    concurrency: 3,
    handler: async (envelope) => {
      if (envelope.type !== "chat.message.sent") return;
      await pause(5);
      appendFileSync(progressFile, `${envelope.payload.message_id}\n`);
    },
  });
  consumer.stopOnSignals(() => process.exit(0));
  await consumer.start();
} else if (mode === "processor") {
  const processor = createKafkaClient({ service: "message-processor" }).processor({
    topics: [input],
    instanceId: instance ?? "0",
    maxBatchSize: 50,
    transform: async (envelope, out) => {
      if (envelope.type !== "chat.message.sent") return;
      await pause(5);
      await out.send("chat.events", {
        type: "chat.message.persisted",
        tenantId: envelope.tenant_id,
        correlationId: envelope.id,
        payload: {
          conversation_id: envelope.payload.conversation_id,
          message_id: envelope.payload.message_id,
          sequence: 0,
          persisted_at: new Date().toISOString(),
        },
      });
      appendFileSync(progressFile, `${envelope.payload.message_id}\n`);
    },
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => void processor.stop().then(() => process.exit(0)));
  }
  await processor.start();
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
