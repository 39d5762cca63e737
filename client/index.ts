/**
 * `@kafka-platform/client`: the typed Kafka client services use, on librdkafka
 * (`@confluentinc/kafka-javascript`). Loads nothing from Pulumi, cdk8s, infra/ or charts/; the
 * catalog (topics/, acl/) is compiled into the package.
 */
import { broadcastGroupPrefixFor, transactionalIdPrefixFor } from "../acl/derive.ts";
import { loadConnectionConfig, type ConfigSources, type ConnectionConfig } from "./config.ts";
import { TypedConsumer, type ConsumerOptions } from "./consumer.ts";
import type { EnvelopeCodec } from "./envelope.ts";
import type { ClientLog } from "./library.ts";
import type { MetricsSink } from "./metric-names.ts";
import { ExactlyOnceProcessor, type ProcessorOptions } from "./processor.ts";
import { TransactionalProducer, TypedProducer, type ProducerTuning } from "./producer.ts";
import type { BroadcastTopic, ConsumableTopic, ServiceName } from "./topic-types.ts";

export interface KafkaClientOptions<S extends ServiceName> {
  readonly service: S;
  /** Defaults to loadConnectionConfig() from env and mounted Secrets. */
  readonly connection?: ConnectionConfig;
  readonly configSources?: ConfigSources;
  readonly metrics?: MetricsSink;
  readonly log?: ClientLog;
  /** How envelopes become record values and back; JSON (JSON_CODEC) by default. */
  readonly codec?: EnvelopeCodec;
}

type Shared = "service" | "connection" | "metrics" | "log" | "codec";

/** A broadcast reader's instance id: what a Kubernetes pod name may be. */
const INSTANCE_ID = /^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$/;

/** Entry point: one per service process. */
export class KafkaClient<S extends ServiceName> {
  readonly service: S;
  readonly connection: ConnectionConfig;
  private readonly shared: Pick<KafkaClientOptions<S>, "metrics" | "log" | "codec">;

  constructor(options: KafkaClientOptions<S>) {
    this.service = options.service;
    this.connection = options.connection ?? loadConnectionConfig(options.configSources);
    const { metrics, log, codec } = options;
    this.shared = { metrics, log, codec };
  }

  private with<T>(options: T) {
    return { ...this.shared, ...options, service: this.service, connection: this.connection };
  }

  /** A connected producer (acks=all, idempotent, murmur2 keys, lz4, linger 5 ms). */
  producer(tuning: ProducerTuning = {}): Promise<TypedProducer<S>> {
    return new TypedProducer(this.with(tuning)).connect();
  }

  /** A connected transactional producer with id `<service>.tx.<instanceId>`. */
  transactionalProducer(instanceId: string, tuning: ProducerTuning = {}) {
    const transactionalId = `${transactionalIdPrefixFor(this.service)}${instanceId}`;
    return new TransactionalProducer(this.with({ ...tuning, transactionalId })).connect();
  }

  /** A consumer in group `<service>`; call start(). */
  consumer<N extends ConsumableTopic<S>>(options: Omit<ConsumerOptions<S, N>, Shared>) {
    return new TypedConsumer<S, N>(this.with(options));
  }

  /**
   * A reader of the service's `broadcasts` in group `<service>.broadcast.<instanceId>`: every
   * instance gets every message from the latest offset, nothing committed. Call start().
   */
  broadcastConsumer<N extends BroadcastTopic<S>>(
    options: Omit<ConsumerOptions<S, N>, Shared> & { readonly instanceId: string },
  ): TypedConsumer<S, N> {
    const { instanceId, ...rest } = options;
    if (!INSTANCE_ID.test(instanceId)) {
      throw new Error(
        `broadcastConsumer: instanceId "${instanceId}" must be 1-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit (a pod name fits)`,
      );
    }
    const id = `${broadcastGroupPrefixFor(this.service)}${instanceId}`;
    return new TypedConsumer<S, N>(this.with(rest), { id, startAt: "latest", commits: false });
  }

  /** An exactly-once consume-transform-produce processor; call start(). */
  processor<N extends ConsumableTopic<S>>(options: Omit<ProcessorOptions<S, N>, Shared>) {
    return new ExactlyOnceProcessor<S, N>(this.with(options));
  }
}

export function createKafkaClient<S extends ServiceName>(
  options: KafkaClientOptions<S>,
): KafkaClient<S> {
  return new KafkaClient(options);
}

export { loadConnectionConfig, CONFIG_ENV, type ConnectionConfig } from "./config.ts";
export {
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  messageKeyFor,
  EnvelopeError,
  JSON_CODEC,
  type Envelope,
  type EnvelopeCodec,
  type EncodedEnvelope,
} from "./envelope.ts";
export { CLIENT_METRICS, type MetricsSink, type ClientMetricName } from "./metric-names.ts";
export { KafkaAuthenticationError, KafkaConnectionError, type ClientLog } from "./library.ts";
export {
  TypedProducer,
  TransactionalProducer,
  type EnvelopeSender,
  type OutgoingEvent,
  type Delivery,
  type DeliveryCallback,
  type RawMessage,
} from "./producer.ts";
export {
  TypedConsumer,
  type ConsumerHealth,
  type MessageContext,
  type RetryPolicy,
} from "./consumer.ts";
export { ExactlyOnceProcessor } from "./processor.ts";
export {
  RegistryEnvelopeCodec,
  SchemaIdError,
  SchemaRegistryClient,
  SchemaRegistryError,
  schemaRegistryCodec,
  type SchemaRegistryOptions,
} from "./schema-registry.ts";
export type * from "./topic-types.ts";
