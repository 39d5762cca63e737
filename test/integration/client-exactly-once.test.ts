import type { ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createKafkaClient, decodeEnvelope } from "../../client/index.ts";
import { CONTENT_TYPE_HEADER, ENVELOPE_CONTENT_TYPE } from "../../client/envelope.ts";
import { connectionFor, createTopics, freshTenant, readTopic, sentAt } from "./client-helpers.ts";
import { exited, progress, resetProgress, startChild, waitWhileRunning } from "./client-process.ts";

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited(child);
  }
});

function persistedIds(
  records: readonly { value: Buffer | null; headers: Record<string, string> }[],
  tenant: string,
): string[] {
  // chat.events is a catalog topic the whole integration run shares: records without the
  // envelope content type were written raw by other test files and are not this processor's.
  return records.flatMap((r) => {
    if (r.headers[CONTENT_TYPE_HEADER] !== ENVELOPE_CONTENT_TYPE) return [];
    const env = decodeEnvelope(r.value, r.headers);
    return env.tenant_id === tenant && env.type === "chat.message.persisted"
      ? [env.payload.message_id]
      : [];
  });
}

describe("exactly-once consume-transform-produce (real child process)", () => {
  it("a processor killed mid-transaction and restarted yields each input exactly once (read_committed)", async () => {
    const tenant = freshTenant("eos");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 3);
    const producer = await createKafkaClient({
      service: "socket-service",
      connection: connectionFor("socket-service"),
    }).producer();
    const ids = Array.from({ length: 600 }, (_, i) => `m-${i}`);
    try {
      await Promise.all(
        ids.map((id, i) =>
          producer.send(topic, {
            type: "chat.message.sent",
            tenantId: tenant,
            payload: {
              conversation_id: `c-${i % 10}`,
              message_id: id,
              sender_id: "u",
              text: id,
              sent_at: sentAt(),
            },
          }),
        ),
      );
    } finally {
      await producer.disconnect();
    }
    const file = join(tmpdir(), `client-eos-${tenant}.log`);
    resetProgress(file);

    const first = startChild("message-processor", ["processor", topic, file, "eos-test"]);
    children.push(first);
    await waitWhileRunning(
      first,
      () => progress(file).length >= 120,
      120_000,
      "the first processor to transform 120 inputs",
    );
    first.kill("SIGKILL");
    expect(await exited(first)).toEqual({ code: null, signal: "SIGKILL" });

    const second = startChild("message-processor", ["processor", topic, file, "eos-test"]);
    children.push(second);
    await waitWhileRunning(
      second,
      () => new Set(progress(file)).size >= ids.length,
      180_000,
      "every input to be transformed",
    );
    second.kill("SIGTERM");
    expect(await exited(second)).toEqual({ code: 0, signal: null });

    // Transforms of the killed, uncommitted transaction ran again after the restart, yet the
    // committed output holds each input exactly once.
    const records = await readTopic(
      "chat.events",
      (r) => persistedIds(r, tenant).length >= ids.length,
      {
        timeoutMs: 60_000,
      },
    );
    const out = persistedIds(records, tenant);
    expect(out.length).toBe(ids.length);
    expect([...new Set(out)].sort()).toEqual([...ids].sort());
  });
});
