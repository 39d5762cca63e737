import { SERVICE_PLACEHOLDER, expandTemplate } from "../topics/templates.ts";
import { deadLetterTopicFor } from "../topics/policy.ts";
import { consumesAnything } from "../topics/resolve.ts";
import type { Environment, ResolvedTopic } from "../topics/types.ts";
import type { ServiceDefinition } from "./types.ts";

/**
 * Kafka client quotas per service user, sized from the catalog's ingest rates so that one
 * runaway service cannot starve the rest. Kafka enforces byte-rate quotas per broker, so each
 * figure is a per-broker rate. Pure: the KafkaUser chart, the local apply and the tests share it.
 *
 *   producerByteRate = Σ peak of the topics it writes            × PRODUCE_HEADROOM ÷ (brokers − 1)
 *   consumerByteRate = Σ peak of the topics it reads (× readers) × CATCH_UP         ÷ (brokers − 1)
 *
 * ÷ (brokers − 1): with one broker down, its partition leaders move to the other two.
 */

/** The peak of a keyed topic can land on few partitions: twice the per-broker share. */
export const PRODUCE_HEADROOM = 2;
/** A consumer catching up after an outage reads faster than the topics are written. */
export const CATCH_UP = 3;

/**
 * No quota below this, per broker and direction. Dev is the local cluster that also runs the
 * client benchmarks and integration tests (tens of MB/s on loopback) with the service users:
 * there a quota is a ceiling against a runaway loop, not a plan.
 */
export const MIN_BYTE_RATE: Readonly<Record<Environment, number>> = {
  dev: 32 * 1024 * 1024,
  staging: 512 * 1024,
  prod: 1024 * 1024,
};

/**
 * Share of request-handling time (percent of one network or I/O thread per quota window) a
 * service may use on a broker. Brokers run 3 network + 8 I/O threads (1100 %); 8 services at
 * 100 % leave room for the replication and the operators in prod.
 */
export const REQUEST_PERCENTAGE: Readonly<Record<Environment, number>> = {
  dev: 100,
  staging: 100,
  prod: 100,
};

/** The platform's admin user: tools and operators, bounded but never in a service's way. */
export const ADMIN_QUOTAS: UserQuotas = {
  producerByteRate: 64 * 1024 * 1024,
  consumerByteRate: 64 * 1024 * 1024,
  requestPercentage: 200,
};

export interface UserQuotas {
  /** Bytes per second the user may produce to each broker. */
  readonly producerByteRate: number;
  /** Bytes per second the user may fetch from each broker. */
  readonly consumerByteRate: number;
  readonly requestPercentage: number;
}

/** A service's quotas and the catalog figures they come from. */
export interface ServiceQuotaPlan {
  readonly service: string;
  readonly quotas: UserQuotas;
  /** Peak bytes/s of everything it writes, all brokers together. */
  readonly producePeak: number;
  /** Peak bytes/s of everything it reads, counting every broadcast reader. */
  readonly consumePeak: number;
  /** The least producerByteRate that still carries its peak share (no headroom). */
  readonly minProducerByteRate: number;
  readonly minConsumerByteRate: number;
}

function sum(topics: readonly ResolvedTopic[]): number {
  return topics.reduce((n, t) => n + t.ingest.peakBytesPerSec, 0);
}

export function serviceQuotaPlan(
  service: ServiceDefinition,
  topics: readonly ResolvedTopic[],
  environment: Environment,
  brokers: number,
): ServiceQuotaPlan {
  const bySource = (templates: readonly string[]): ResolvedTopic[] =>
    topics.filter((t) => templates.includes(t.source));
  const byName = (names: readonly string[]): ResolvedTopic[] =>
    topics.filter((t) => names.includes(t.name));
  const commandFamily = topics.find((t) => t.family === "per-service")?.source;
  const commandsTo = (target: string): string =>
    commandFamily === undefined ? "" : expandTemplate(commandFamily, SERVICE_PLACEHOLDER, target);

  const writes = [
    ...bySource(service.produces),
    ...byName((service.sendsCommandsTo ?? []).map(commandsTo)),
    ...(consumesAnything(service) ? byName([deadLetterTopicFor(service.name)]) : []),
  ];
  const reads = [
    ...bySource(service.consumes),
    ...(service.receivesCommands === true ? byName([commandsTo(service.name)]) : []),
  ];
  const broadcastReaders = service.instances ?? 1;
  const producePeak = sum(writes);
  const consumePeak = sum(reads) + sum(bySource(service.broadcasts ?? [])) * broadcastReaders;
  const share = Math.max(1, brokers - 1);
  const floor = MIN_BYTE_RATE[environment];
  const minProducerByteRate = Math.ceil(producePeak / share);
  const minConsumerByteRate = Math.ceil(consumePeak / share);
  return {
    service: service.name,
    producePeak,
    consumePeak,
    minProducerByteRate,
    minConsumerByteRate,
    quotas: {
      producerByteRate: Math.max(floor, Math.ceil((producePeak * PRODUCE_HEADROOM) / share)),
      consumerByteRate: Math.max(floor, Math.ceil((consumePeak * CATCH_UP) / share)),
      requestPercentage: REQUEST_PERCENTAGE[environment],
    },
  };
}
