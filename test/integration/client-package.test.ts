import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics, freshTenant } from "./client-helpers.ts";
import { serviceCredential, testCluster } from "./support/cluster.ts";

/**
 * The client as a service gets it: `npm pack` of the workspace package, installed into a
 * scratch project, run with plain `node` (no tsx), configured from a directory laid out like
 * the mounted Secret kafka-<service>. The Kafka library's native build takes minutes; the
 * scratch project takes the repository's already built copy of the library (and zod) through
 * npm `overrides` to `file:` paths, and npm installs offline without running install scripts.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const work = mkdtempSync(join(tmpdir(), "kp-client-package-"));
const app = join(work, "app");
let tarball = "";

const APP = `
import { createKafkaClient } from "@kafka-platform/client";
const [mode, service, topic, count] = process.argv.slice(2);
const kafka = createKafkaClient({ service });
const tenant = topic.slice("chat.messages.".length);
if (mode === "produce") {
  const producer = await kafka.producer();
  await Promise.all(Array.from({ length: Number(count) }, (_, n) =>
    producer.send(topic, { type: "chat.message.sent", tenantId: tenant, payload: {
      conversation_id: "c-" + (n % 5), message_id: "m-" + n, sender_id: "u", text: "hi",
      sent_at: new Date().toISOString() } })));
  await producer.disconnect();
} else {
  const seen = new Set();
  const consumer = kafka.consumer({ topics: [topic], handler: async (envelope) => {
    seen.add(envelope.payload.message_id);
    if (seen.size === Number(count)) { console.log([...seen].sort().join(",")); void consumer.stop(); }
  } });
  await consumer.start();
}
`;

const TYPED = `
import { createKafkaClient } from "@kafka-platform/client";
const kafka = createKafkaClient({ service: "socket-service" });
export async function send(): Promise<string> {
  const producer = await kafka.producer();
  const delivery = await producer.send("chat.messages.acme", { type: "chat.message.sent", tenantId: "acme",
    payload: { conversation_id: "c", message_id: "m", sender_id: "u", text: "t", sent_at: "" } });
  // @ts-expect-error audit.log is not a topic socket-service may write
  await producer.send("audit.log", { type: "audit.recorded", tenantId: "acme", payload: {} });
  return delivery.offset;
}
`;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the installed app with plain node and the connection in a Secret-like directory. */
function runApp(args: string[]): Promise<string> {
  const service = args[1] ?? "";
  const credential = serviceCredential(service);
  const info = testCluster();
  const secret = join(work, `kafka-${service}`);
  mkdirSync(secret, { recursive: true });
  writeFileSync(join(secret, "bootstrap.servers"), info.bootstrapServers.join(","));
  writeFileSync(join(secret, "username"), credential.username);
  writeFileSync(join(secret, "password"), credential.password);
  writeFileSync(join(secret, "ca.crt"), readFileSync(info.caPemPath));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KAFKA_CREDENTIALS_DIR: secret };
  const child = spawn(process.execPath, ["app.mjs", ...args], { cwd: app, env });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) done(out.trim());
      else fail(new Error(`app ${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

beforeAll(() => {
  run("npm", ["pack", "--workspace", "client", "--pack-destination", work, "--silent"], ROOT);
  tarball = join(work, "kafka-platform-client-0.1.0.tgz");
  mkdirSync(app);
  const library = join(ROOT, "node_modules", "@confluentinc", "kafka-javascript");
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "scratch-service",
      private: true,
      type: "module",
      dependencies: { "@kafka-platform/client": `file:${tarball}` },
      overrides: {
        "@confluentinc/kafka-javascript": `file:${library}`,
        zod: `file:${join(ROOT, "node_modules", "zod")}`,
      },
    }),
  );
  run("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], app);
  writeFileSync(join(app, "app.mjs"), APP);
  writeFileSync(join(app, "typed.ts"), TYPED);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed client installed into a service project", () => {
  it("depends only on the Kafka library and zod, and ships JavaScript and .d.ts without infrastructure code", () => {
    const manifest = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], work)) as {
      dependencies: Record<string, string>;
      devDependencies?: unknown;
      peerDependencies?: unknown;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      "@confluentinc/kafka-javascript",
      "zod",
    ]);
    expect(manifest.peerDependencies).toBeUndefined();
    const files = run("tar", ["-tzf", tarball], work).split("\n").filter(Boolean);
    expect(files).toContain("package/dist/client/index.js");
    expect(files).toContain("package/dist/client/index.d.ts");
    expect(
      files.filter((f) => !/^package\/(package\.json|dist\/(client|topics|acl)\/)/.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("type-checks a service's code against the package's .d.ts (topics and payloads from the catalog)", () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--module", "nodenext", "--target", "es2023"];
    const typeRoots = ["--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types")];
    expect(run(process.execPath, [tsc, ...args, ...typeRoots, "typed.ts"], app)).toBe("");
  });

  it("a producer and a consumer run with plain node against the cluster, configured from a Secret directory", async () => {
    const topic = `chat.messages.${freshTenant("pkg")}`;
    await createTopics([topic], 3);
    await runApp(["produce", "socket-service", topic, "50"]);
    const handled = await runApp(["consume", "search-indexer", topic, "50"]);
    expect(handled.split(",")).toEqual(Array.from({ length: 50 }, (_, n) => `m-${n}`).sort());
  });
});
