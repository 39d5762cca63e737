import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KAFKA_LIBS_DIR, KAFKA_VERSION, MAVEN_POM } from "./paths.ts";

const STAMP = ".fetched";

function pomHash(): string {
  return createHash("sha256").update(readFileSync(MAVEN_POM)).digest("hex");
}

/** True when the jars for the current pom are already in the cache. */
export function kafkaJarsPresent(): boolean {
  const stamp = join(KAFKA_LIBS_DIR, STAMP);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === pomHash();
}

/**
 * Copies the pinned Kafka jars (local/maven/pom.xml) into `.cache/kafka-<version>/libs` with
 * Maven. The Maven repository stays in the default ~/.m2, so repeated runs on one machine
 * (and CI on it) download nothing. A no-op when the jars for this pom are already there.
 */
export function fetchKafkaJars(log: (line: string) => void = () => {}): { fetched: boolean } {
  if (kafkaJarsPresent()) return { fetched: false };
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars with Maven (local/maven/pom.xml)`);
  rmSync(KAFKA_LIBS_DIR, { recursive: true, force: true });
  mkdirSync(KAFKA_LIBS_DIR, { recursive: true });
  const result = spawnSync(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      MAVEN_POM,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${KAFKA_LIBS_DIR}`,
      "-DincludeScope=runtime",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (result.error)
    throw new Error(`could not run mvn (is Maven installed?): ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`mvn dependency:copy-dependencies failed (exit ${result.status})`);
  const jars = readdirSync(KAFKA_LIBS_DIR).filter((f) => f.endsWith(".jar"));
  if (!jars.includes(`kafka_2.13-${KAFKA_VERSION}.jar`)) {
    throw new Error(`mvn finished but kafka_2.13-${KAFKA_VERSION}.jar is not in ${KAFKA_LIBS_DIR}`);
  }
  writeFileSync(join(KAFKA_LIBS_DIR, STAMP), `${pomHash()}\n`);
  log(`fetched ${jars.length} jars into ${KAFKA_LIBS_DIR}`);
  return { fetched: true };
}
