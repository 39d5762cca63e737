import { inject } from "vitest";
import { LocalCluster, type ClusterConnectionInfo } from "../../../local/cluster.ts";
import type { ScramCredential } from "../../../local/credentials.ts";
import {
  platformaticOptions,
  type PlatformaticConnectionOptions,
} from "../../../local/kafka-client-options.ts";

/**
 * Typed access, from an integration test file, to the one cluster the global setup started
 * (test/integration/global-setup.ts). The setup hands over the connection info with vitest's
 * `provide`; the same JSON is in `.cache/local/<instance>/connection.json` (0600) for tools
 * outside vitest.
 */
declare module "vitest" {
  export interface ProvidedContext {
    kafkaCluster: ClusterConnectionInfo;
  }
}

/** Bootstrap servers, CA, admin and per-service credentials of the shared test cluster. */
export function testCluster(): ClusterConnectionInfo {
  return inject("kafkaCluster");
}

/** Control of the shared cluster (stopBroker, startBroker, waitHealthy, probe). */
export function testClusterControl(): LocalCluster {
  const info = testCluster();
  return new LocalCluster({ instance: info.instance, portBase: info.portBase });
}

/** The SCRAM credential of a catalog service (created by the setup's apply). */
export function serviceCredential(service: string): ScramCredential {
  const credential = testCluster().services[service];
  if (credential === undefined) throw new Error(`no credential for service "${service}"`);
  return credential;
}

/** @platformatic/kafka options (bootstrap, CA, SCRAM) for a credential, admin by default. */
export function clientOptions(credential?: ScramCredential): PlatformaticConnectionOptions {
  const info = testCluster();
  return platformaticOptions(info.bootstrapServers, info.caPemPath, credential ?? info.admin);
}
