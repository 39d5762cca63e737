import { readFileSync } from "node:fs";
import type { ScramCredential } from "./credentials.ts";

/** Connection options for @platformatic/kafka clients (Admin, Producer, Consumer, Connection). */
export interface PlatformaticConnectionOptions {
  readonly bootstrapBrokers: string[];
  readonly tls: { ca: string };
  readonly sasl: { mechanism: "SCRAM-SHA-512"; username: string; password: string };
}

export function platformaticOptions(
  bootstrapServers: readonly string[],
  caPemPath: string,
  credential: ScramCredential,
): PlatformaticConnectionOptions {
  return {
    bootstrapBrokers: [...bootstrapServers],
    tls: { ca: readFileSync(caPemPath, "utf8") },
    sasl: {
      mechanism: "SCRAM-SHA-512",
      username: credential.username,
      password: credential.password,
    },
  };
}
