import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { LocalMirrorMaker } from "../../../local/mirror-maker.ts";

/**
 * What the regions tool reports when MirrorMaker 2 has stopped: the last error of its log and
 * the root cause. The log below is an excerpt of a real one (a CI-like run, 2026-12-07): the
 * target's broker 1 had not applied MirrorMaker's new SCRAM credential yet, and the dedicated
 * process stopped at once.
 */
const STOPPED_ON_A_REFUSED_CREDENTIAL = `[2026-12-07 06:47:38,616] INFO Kafka startTimeMs: 1796626058562 (org.apache.kafka.common.utils.AppInfoParser)
[2026-12-07 06:47:49,865] INFO [AdminClient clientId=us-east-1->eu-west-1] Failed authentication with localhost/127.0.0.1 (channelId=-2) (Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512) (org.apache.kafka.common.network.Selector)
[2026-12-07 06:47:49,984] ERROR [AdminClient clientId=us-east-1->eu-west-1] Connection to node -2 (localhost/127.0.0.1:29101) failed authentication due to: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (org.apache.kafka.clients.NetworkClient)
[2026-12-07 06:47:50,037] WARN [AdminClient clientId=us-east-1->eu-west-1] Fatal error during metadata update (org.apache.kafka.clients.admin.internals.AdminMetadataManager)
org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512
[2026-12-07 06:47:50,488] INFO Metrics reporters closed (org.apache.kafka.common.metrics.Metrics)
[2026-12-07 06:47:50,553] ERROR Stopping due to error (org.apache.kafka.connect.mirror.MirrorMaker)
org.apache.kafka.connect.errors.ConnectException: Failed to connect to and describe Kafka cluster. Check worker's broker connection and security properties.
	at org.apache.kafka.connect.runtime.WorkerConfig.lookupKafkaClusterId(WorkerConfig.java:318)
	at org.apache.kafka.connect.mirror.MirrorMaker.main(MirrorMaker.java:352)
Caused by: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512
	at java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)
	... 8 more
Caused by: org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512
`;

describe("LocalMirrorMaker.lastError", () => {
  const mm = new LocalMirrorMaker(`unit-mm-log-${process.pid}`, 1);
  const write = (text: string): void => {
    mkdirSync(mm.files.dir, { recursive: true });
    writeFileSync(mm.files.log, text);
  };
  afterAll(() => rmSync(mm.files.dir, { recursive: true, force: true }));

  it("names the refused broker and the root cause, not the generic stop", () => {
    write(STOPPED_ON_A_REFUSED_CREDENTIAL);
    const error = mm.lastError();
    expect(error).toMatch(
      /^\[AdminClient clientId=us-east-1->eu-west-1\] Connection to node -2 \(localhost\/127\.0\.0\.1:29101\) failed authentication/,
    );
    expect(error).toMatch(
      /Caused by: org\.apache\.kafka\.common\.errors\.SaslAuthenticationException: .*invalid credentials/,
    );
    expect(error).not.toMatch(/Stopping due to error/);
  });

  it("falls back to the stop itself when it is the only error", () => {
    write(
      STOPPED_ON_A_REFUSED_CREDENTIAL.split("\n")
        .filter((l) => !l.includes("] ERROR [AdminClient"))
        .join("\n"),
    );
    expect(mm.lastError()).toMatch(
      /^Stopping due to error .*Caused by: org\.apache\.kafka\.common\.errors\.SaslAuthenticationException/,
    );
  });

  it("is undefined for a log without errors, and without a log", () => {
    write(
      "[2026-12-07 06:47:38,616] INFO Kafka version: 4.3.1 (org.apache.kafka.common.utils.AppInfoParser)\n",
    );
    expect(mm.lastError()).toBeUndefined();
    rmSync(mm.files.log);
    expect(mm.lastError()).toBeUndefined();
  });
});
