import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { createKafkaClient } from "../../client/index.ts";
import { connectionFor, createTopics, freshTenant, sentAt } from "./client-helpers.ts";
import { exited, progress, resetProgress, startChild, waitWhileRunning } from "./client-process.ts";

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited(child);
  }
});

async function produce(
  topic: `chat.messages.${string}`,
  tenant: string,
  count: number,
): Promise<string[]> {
  const producer = await createKafkaClient({
    service: "socket-service",
    connection: connectionFor("socket-service"),
  }).producer();
  const ids = Array.from({ length: count }, (_, i) => `m-${i}`);
  try {
    await Promise.all(
      ids.map((id, i) =>
        producer.send(topic, {
          type: "chat.message.sent",
          tenantId: tenant,
          payload: {
            conversation_id: `c-${i % 20}`,
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
  return ids;
}

describe("a consumer killed mid-batch (real child process)", () => {
  it("loses nothing: after SIGKILL and restart every message is handled at least once", async () => {
    const tenant = freshTenant("crash");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 3);
    const ids = await produce(topic, tenant, 1500);
    const file = join(tmpdir(), `client-crash-${tenant}.log`);
    resetProgress(file);

    const first = startChild("search-indexer", ["consumer", topic, file]);
    children.push(first);
    await waitWhileRunning(
      first,
      () => progress(file).length >= 300,
      90_000,
      "the first consumer to handle 300 messages",
    );
    first.kill("SIGKILL");
    expect(await exited(first)).toEqual({ code: null, signal: "SIGKILL" });
    const beforeKill = new Set(progress(file));
    expect(beforeKill.size).toBeLessThan(ids.length);

    const second = startChild("search-indexer", ["consumer", topic, file]);
    children.push(second);
    await waitWhileRunning(
      second,
      () => new Set(progress(file)).size >= ids.length,
      120_000,
      "every message to be handled",
    );
    second.kill("SIGTERM");
    expect(await exited(second)).toEqual({ code: 0, signal: null });

    const handled = new Set(progress(file));
    expect(ids.filter((id) => !handled.has(id))).toEqual([]);
  });

  it("SIGTERM commits what was processed: a restarted consumer redoes nothing that finished", async () => {
    const tenant = freshTenant("term");
    const topic = `chat.messages.${tenant}` as const;
    await createTopics([topic], 3);
    const ids = await produce(topic, tenant, 900);
    const file = join(tmpdir(), `client-term-${tenant}.log`);
    resetProgress(file);

    const first = startChild("search-indexer", ["consumer", topic, file]);
    children.push(first);
    await waitWhileRunning(
      first,
      () => progress(file).length >= 200,
      90_000,
      "200 handled messages",
    );
    first.kill("SIGTERM");
    expect(await exited(first)).toEqual({ code: 0, signal: null });
    const handledBefore = progress(file).length;

    const second = startChild("search-indexer", ["consumer", topic, file]);
    children.push(second);
    await waitWhileRunning(
      second,
      () => new Set(progress(file)).size >= ids.length,
      120_000,
      "every message to be handled",
    );
    second.kill("SIGTERM");
    await exited(second);
    const lines = progress(file);
    expect(new Set(lines).size).toBe(ids.length);
    expect(lines.length).toBe(ids.length);
    expect(handledBefore).toBeLessThan(ids.length);
  });
});
