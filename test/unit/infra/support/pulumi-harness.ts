import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, stackFileName } from "../../../../infra/config/load.ts";
import { PROJECT } from "../../../../infra/config/schema.ts";

/**
 * Runs the real Pulumi program (infra/index.ts) under pulumi.runtime.setMocks for one stack and
 * records everything it registered: the inputs the mocks see, plus what mocks never see (the
 * `protect` flag, dependencies, parent and providers), read from the registration requests.
 *
 * Checked facts (FIELD-NOTES): the program must be imported after setMocks, and mocks are
 * global, so every run resets the module registry and imports the program afresh.
 */

/** Pulumi's marker for a secret value in serialized properties. */
export const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;
export const SECRET_SIG = pulumi.runtime.specialSecretSig;

export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly remote: boolean;
  /** Inputs as the mocks receive them: secrets stay wrapped as `{<sig>: <secret sig>, value}`. */
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  /** URNs of the direct dependencies (dependsOn, components expanded to their children). */
  readonly dependencies: readonly string[];
  readonly parent: string;
  /** Provider reference of a custom resource (`<urn>::<id>`). */
  readonly provider: string;
  /** Provider references by package, for components. */
  readonly providers: Readonly<Record<string, string>>;
}

export interface ProgramRun {
  readonly stack: string;
  readonly resources: readonly RegisteredResource[];
  /** The program's named exports (stack outputs), resolved. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Stack outputs whose value was a secret Output. */
  readonly secretOutputs: readonly string[];
  /** Existing resources the program read (`Resource.get`), with the id it asked for. */
  readonly reads: readonly { readonly type: string; readonly name: string; readonly id: string }[];
}

export interface StackInput {
  readonly stack: string;
  /** Config values without the project prefix, as the YAML holds them. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Secret config values (plain here; the harness marks them secret). */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** A stack file's config values, keys without the `kafka-platform:` prefix, secure keys dropped. */
export function stackFileValues(stack: string): Record<string, unknown> {
  const doc = parse(readFileSync(join(REPO_ROOT, stackFileName(stack)), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(doc.config)) {
    const key = fullKey.slice(PROJECT.length + 1);
    if ((value as { secure?: unknown } | null)?.secure !== undefined) continue;
    values[key] = value;
  }
  return values;
}

/** What the Pulumi CLI hands a program: every value a string, structured ones as JSON. */
function toPulumiConfig(input: StackInput): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.values)) {
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(input.secrets ?? {})) {
    config[`${PROJECT}:${key}`] = value;
    secretKeys.push(`${PROJECT}:${key}`);
  }
  return { config, secretKeys };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getRemote(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getParent(): string;
  getProvider(): string;
  getProvidersMap(): { toObject(): [string, string][] };
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: Error | null, resp?: RegisterResponse) => void;
interface Monitor {
  registerResource(req: RegisterRequest, cb: Callback): void;
}

/** Mock state: inputs echoed back, plus ids; random passwords get a recognisable fake value. */
export function fakePassword(name: string): string {
  return `fake-password-for-${name}`;
}

/** The certificate the mocks serve for a read of the cluster CA Secret. */
export const FAKE_CA_CERT =
  "-----BEGIN CERTIFICATE-----\nfake-cluster-ca\n-----END CERTIFICATE-----\n";

export async function runProgram(input: StackInput): Promise<ProgramRun> {
  vi.resetModules();
  const reads: { type: string; name: string; id: string }[] = [];
  const inputsByKey = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string;
        state: Record<string, unknown>;
      } {
        inputsByKey.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
        if (args.type === "random:index/randomPassword:RandomPassword") {
          state["result"] = fakePassword(args.name);
        }
        // A read of an existing Secret (the cluster CA Strimzi writes): serve a fake certificate.
        if (args.type === "kubernetes:core/v1:Secret" && args.id !== undefined && args.id !== "") {
          reads.push({ type: args.type, name: args.name, id: args.id });
          state["data"] = { "ca.crt": Buffer.from(FAKE_CA_CERT).toString("base64") };
        }
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return args.inputs as Record<string, unknown>;
      },
    },
    PROJECT,
    input.stack,
    false,
  );
  const { config, secretKeys } = toPulumiConfig(input);
  pulumi.runtime.setAllConfig(config, secretKeys);

  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  const resources: RegisteredResource[] = [];
  monitor.registerResource = (req, cb) => {
    original(req, (err, resp) => {
      if (err === null && resp !== undefined) {
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          remote: req.getRemote(),
          inputs: inputsByKey.get(`${req.getType()}::${req.getName()}`) ?? {},
          protect: req.getProtect() === true,
          dependencies: req.getDependenciesList(),
          parent: req.getParent(),
          provider: req.getProvider(),
          providers: Object.fromEntries(req.getProvidersMap().toObject()),
        });
      }
      cb(err, resp);
    });
  };

  let program: Record<string, unknown>;
  try {
    program = await import("../../../../infra/index.ts");
  } catch (e) {
    await pulumi.runtime.disconnect();
    throw e;
  }
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) {
      if (await pulumi.isSecret(value)) secretOutputs.push(key);
      outputs[key] = await new Promise((resolve) => value.apply((v) => resolve(v)));
    } else {
      outputs[key] = value;
    }
  }
  await pulumi.runtime.disconnect();
  return { stack: input.stack, resources, outputs, secretOutputs, reads };
}

/** Unwraps Pulumi's secret markers, for comparing plain values. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj["value"]);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Paths at which `needle` occurs in `value` outside any secret wrapper. */
export function plainOccurrences(value: unknown, needle: string, path = "$"): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path] : [];
  if (Array.isArray(value))
    return value.flatMap((v, i) => plainOccurrences(v, needle, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return [];
    return Object.entries(obj).flatMap(([k, v]) => plainOccurrences(v, needle, `${path}.${k}`));
  }
  return [];
}
