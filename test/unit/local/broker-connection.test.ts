import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { brokerConnection } from "../../../local/broker-connection.ts";

/**
 * The low-level connections of the local tools report failures through connect() alone. In a CI
 * run a broker closed the socket while a login was in flight; @platformatic/kafka then emitted
 * the refusal as an 'error' event after connect() had stopped listening, and that unhandled event
 * ended the integration lane's vitest process. An EventEmitter throws on an 'error' event that
 * has no listener, which is what these cases check for.
 */
describe("brokerConnection", () => {
  const dir = mkdtempSync(join(tmpdir(), "kp-broker-connection-"));
  const ca = join(dir, "ca.pem");
  writeFileSync(ca, "not read before a connect\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = { clientId: "unit", connectTimeoutMs: 2000, requestTimeoutMs: 2000 };
  const credential = { username: "someone", password: "secret" };

  it("takes an 'error' event emitted outside connect() without ending the process", () => {
    const connection = brokerConnection(ca, credential, options);
    expect(() => connection.emit("error", new Error("late refusal"))).not.toThrow();
  });

  it("still rejects connect() on a failure, and a late 'error' after it is taken too", async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    const connection = brokerConnection(ca, credential, options);
    await expect(connection.connect("127.0.0.1", port)).rejects.toThrow(/failed|ECONNREFUSED/);
    expect(() => connection.emit("error", new Error("late refusal"))).not.toThrow();
    await connection.close().catch(() => {});
  });
});
