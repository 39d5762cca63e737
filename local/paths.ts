import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Apache Kafka version the local cluster runs; must match local/maven/pom.xml. */
export const KAFKA_VERSION = "4.3.1";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
export const CACHE_DIR = join(REPO_ROOT, ".cache");
export const MAVEN_POM = join(REPO_ROOT, "local", "maven", "pom.xml");

/** Where `fetch` copies the Kafka jars (and the JMX exporter agent). */
export const KAFKA_LIBS_DIR = join(CACHE_DIR, `kafka-${KAFKA_VERSION}`, "libs");

/** Everything one local cluster instance owns: certificates, configs, data, logs, state. */
export function instanceDir(instance: string): string {
  return join(CACHE_DIR, "local", instance);
}

export const INSTANCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;
