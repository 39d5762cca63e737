import { describe, expect, it } from "vitest";
import { authenticatesOn } from "../../local/broker-connection.ts";
import { testCluster } from "./support/cluster.ts";

/**
 * What the local apply's wait for new credentials (local/apply/scram.ts) and the health check
 * see on a broker that refuses a login: a reason, on every broker, and nothing else. The broker
 * closes the connection on an unknown user; @platformatic/kafka also emits the refusal as an
 * 'error' event after connect() has stopped listening, and unhandled, that event ended the
 * vitest process in a CI run. The wait itself, with a broker that lags, is a regions case
 * (test/regions/mirror-maker.test.ts): it pauses a node, on clusters no later test uses.
 */
describe("refused logins on the live cluster", () => {
  const info = testCluster();

  it("are reported as such, on every broker, for an unknown user and for a wrong password", async () => {
    const logins = [
      { username: `login-refusal-test-${Date.now()}`, password: "any" },
      { username: info.admin.username, password: "not-the-password" },
    ];
    for (const login of logins) {
      for (const server of info.bootstrapServers) {
        const refused = await authenticatesOn(server, info.caPemPath, login, {
          clientId: "login-refusal-test",
          connectTimeoutMs: 5000,
          requestTimeoutMs: 10_000,
        });
        expect(refused, `${login.username} on ${server}`).toMatch(/failed|authentication/i);
      }
    }
    // A moment for a late event to surface while this file still runs.
    await new Promise((r) => setTimeout(r, 500));
  });
});
