import { deriveAllAccess } from "../acl/derive.ts";
import { ADMIN_QUOTAS, serviceQuotaPlan, type UserQuotas } from "../acl/quotas.ts";
import { PLATFORM_ADMIN_USER, services } from "../acl/services.ts";
import {
  SCHEMA_REGISTRY_DEFAULT_NAMESPACE,
  SCHEMA_REGISTRY_USER,
  deriveSchemaRegistryAccess,
} from "../acl/schema-registry.ts";
import type { ServiceAccess, ServiceDefinition } from "../acl/types.ts";
import { listStacks, loadStack, type LoadedStack } from "../infra/config/load.ts";
import { withMirroredConsumerAcls } from "../acl/mirror-maker.ts";
import {
  buildMirrorPlan,
  remoteResourcesFor,
  remoteTopicName,
  type MirrorPlan,
} from "./mirror-maker-plan.ts";
import type { StackConfig } from "../infra/config/schema.ts";
import {
  capacityPlan,
  formatBytes,
  formatCapacityTable,
  storageBytes,
  type CapacityPlan,
} from "../topics/capacity.ts";
import { TOPIC_REPLICATION_FACTOR } from "../topics/policy.ts";
import { resolveTopics } from "../topics/resolve.ts";
import {
  registrySubjects,
  unknownSubjectOverrides,
  type RegistrySubject,
} from "../topics/schemas/subjects.ts";
import { tenantCeiling } from "../topics/tenant-ceiling.ts";
import { GIB } from "../topics/sizes.ts";
import type { ResolvedTopic } from "../topics/types.ts";
import { ValidationError, type ValidationIssue } from "../topics/validation-error.ts";

/**
 * Everything a stack declares, resolved: its validated config, the concrete topics and every
 * service's access. The charts, the Pulumi program and the local tools all start from this,
 * so the catalog is the single source of truth for topics, users and ACLs.
 */
export interface PlatformModel {
  readonly stack: string;
  /** The stack file the config came from, for error messages. */
  readonly file: string;
  readonly config: StackConfig;
  readonly topics: readonly ResolvedTopic[];
  readonly access: readonly ServiceAccess[];
  /** Disk the catalog needs on each broker, against the brokers' volumes. */
  readonly capacity: CapacityPlan;
  /** Per user (services and the admin): the client quotas every broker enforces. */
  readonly quotas: Readonly<Record<string, UserQuotas>>;
  /** The Schema Registry's subjects with their compatibility; empty where it is not enabled. */
  readonly subjects: readonly RegistrySubject[];
  /** MirrorMaker 2 between regions (charts/mirror-maker-plan.ts); absent where the stack does not mirror. */
  readonly mirror?: MirrorPlan;
}

/** The region another stack declares, or undefined when its file does not load. */
function peerRegion(stack: string): string | undefined {
  try {
    return loadStack(stack).config.region;
  } catch {
    return undefined;
  }
}

/**
 * What the Schema Registry's KafkaSQL user may use per broker: a trickle of schema writes and a
 * full journal replay on each start (a few MiB).
 */
export const SCHEMA_REGISTRY_QUOTAS: UserQuotas = {
  producerByteRate: 1024 * 1024,
  consumerByteRate: 8 * 1024 * 1024,
  requestPercentage: 50,
};

/** The namespace the stack's Schema Registry runs in. */
export function schemaRegistryNamespace(config: StackConfig): string {
  return config.schemaRegistry.namespace ?? SCHEMA_REGISTRY_DEFAULT_NAMESPACE;
}

/**
 * Every user's quotas: the catalog's sizing (acl/quotas.ts), with the stack's overrides. An
 * override below what the service's catalog rates need, or for an unknown service, is refused.
 */
export function stackQuotas(
  file: string,
  config: StackConfig,
  topics: readonly ResolvedTopic[],
  serviceList: readonly ServiceDefinition[] = services,
): Record<string, UserQuotas> {
  const issues: ValidationIssue[] = [];
  const overrides = config.quotas ?? {};
  const names = serviceList.map((s) => s.name);
  for (const name of Object.keys(overrides)) {
    if (!names.includes(name)) {
      issues.push({
        file,
        path: `config.kafka-platform:quotas.${name}`,
        message: "unknown service",
        allowed: names,
      });
    }
  }
  const result: Record<string, UserQuotas> = { [PLATFORM_ADMIN_USER]: ADMIN_QUOTAS };
  for (const service of serviceList) {
    const plan = serviceQuotaPlan(
      service,
      topics,
      config.environment,
      config.cluster.brokers.replicas,
    );
    const override = overrides[service.name] ?? {};
    const quotas = { ...plan.quotas, ...override };
    const floors = {
      producerByteRate: [plan.minProducerByteRate, plan.producePeak],
      consumerByteRate: [plan.minConsumerByteRate, plan.consumePeak],
    } as const;
    for (const key of ["producerByteRate", "consumerByteRate"] as const) {
      const [min, peak] = floors[key];
      if (override[key] !== undefined && override[key] < min) {
        issues.push({
          file,
          path: `config.kafka-platform:quotas.${service.name}.${key}`,
          message:
            `${override[key]} B/s per broker cannot carry the catalog: ${service.name}'s topics peak at ` +
            `${peak} B/s, ${min} B/s per broker with one of ${config.cluster.brokers.replicas} brokers down; ` +
            `set at least ${min}`,
        });
      }
    }
    result[service.name] = quotas;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return result;
}

/** The stack's disk plan: the topics it resolves against its broker pool's volumes. */
export function stackCapacityPlan(
  config: StackConfig,
  topics: readonly ResolvedTopic[],
): CapacityPlan {
  const pool = config.cluster.brokers;
  return capacityPlan(
    topics,
    pool.replicas,
    storageBytes(pool.storage.size) * pool.storage.volumes,
  );
}

/**
 * Refuses a stack whose broker volumes cannot hold what its catalog keeps, naming the stack
 * file, the field, the figures and the per-topic table.
 */
function refuseTooSmallDisks(file: string, config: StackConfig, plan: CapacityPlan): void {
  if (plan.fits) return;
  const { storage } = config.cluster.brokers;
  const neededPerVolume = Math.ceil(plan.requiredPerBrokerBytes / storage.volumes / GIB);
  throw new ValidationError([
    {
      file,
      path: "config.kafka-platform:cluster.brokers.storage.size",
      message:
        `${storage.size} × ${storage.volumes} volume${storage.volumes === 1 ? "" : "s"} = ` +
        `${formatBytes(plan.brokerDiskBytes)} per broker cannot hold the catalog: it needs ` +
        `${formatBytes(plan.requiredPerBrokerBytes)} per broker; set at least ${neededPerVolume}Gi ` +
        `(or lower ingest, retention or retention.bytes in topics/catalog.ts)\n` +
        formatCapacityTable(plan)
          .split("\n")
          .map((l) => (l === "" ? "" : `      ${l}`))
          .join("\n"),
    },
  ]);
}

/**
 * Refuses more tenants than the per-broker partition-replica budget carries
 * (docs/decisions/0010-tenant-ceiling.md), with the computed figures.
 */
function refuseTooManyTenants(
  file: string,
  config: StackConfig,
  topics: readonly ResolvedTopic[],
): void {
  const n = config.tenants.length;
  const c = tenantCeiling(topics, n, config.cluster.brokers.replicas, TOPIC_REPLICATION_FACTOR);
  if (n <= c.maxTenants) return;
  throw new ValidationError([
    {
      file,
      path: "config.kafka-platform:tenants",
      message:
        `${n} tenants exceed the ceiling of ${c.maxTenants}: each adds ${c.perTenantPerBroker} partition replicas ` +
        `to every broker, so the brokers would hold ${Math.round(c.atTenants(n))} each, over the budget of ` +
        `${c.budgetPerBroker} (${Math.round(c.fixedPerBroker)} taken by the other and internal topics); ` +
        `see docs/decisions/0010-tenant-ceiling.md`,
    },
  ]);
}

/**
 * The topics a prefixed policy (active-active) mirrors into this region: for each inbound
 * flow, a copy of every replicated topic under its remote name (`us-east-1.audit.log`), sized
 * as this stack's own topic of that name, since the two regions of a pair run the same
 * catalog. Under the identity policy the mirrored topics are this stack's own: no copies.
 */
function mirroredCopies(
  plan: MirrorPlan | undefined,
  topics: readonly ResolvedTopic[],
): ResolvedTopic[] {
  if (plan === undefined || plan.policy === "identity") return [];
  return plan.inbound.flatMap((flow) =>
    flow.topics.flatMap((replicated) =>
      topics
        .filter((t) => t.source === replicated.template && t.family !== "dead-letter")
        .map((t) => ({ ...t, name: remoteTopicName(plan.policy, flow.source, t.name) })),
    ),
  );
}

export function buildPlatformModel(
  loaded: Pick<LoadedStack, "stack" | "file" | "config">,
): PlatformModel {
  const registry = loaded.config.schemaRegistry;
  const topics = resolveTopics({
    environment: loaded.config.environment,
    tenants: loaded.config.tenants,
    components: registry.enabled ? ["schema-registry"] : [],
  });
  const access = [
    ...deriveAllAccess(),
    ...(registry.enabled
      ? [deriveSchemaRegistryAccess(schemaRegistryNamespace(loaded.config))]
      : []),
  ];
  const subjects = registry.enabled ? registrySubjects(topics, registry.compatibility) : [];
  const overrideIssues = unknownSubjectOverrides(
    loaded.file,
    registry.compatibility ?? {},
    registrySubjects(topics),
  );
  if (overrideIssues.length > 0) throw new ValidationError(overrideIssues);
  const mirror = buildMirrorPlan({
    file: loaded.file,
    config: loaded.config,
    topics,
    services,
    peers: { stacks: listStacks(), regionOf: peerRegion },
  });
  if (mirror.issues.length > 0) throw new ValidationError(mirror.issues);
  const plan = mirror.plan;
  // The brokers also hold what MirrorMaker writes here under prefixed names (active-active).
  const held = [...topics, ...mirroredCopies(plan, topics)];
  refuseTooManyTenants(loaded.file, loaded.config, held);
  const capacity = stackCapacityPlan(loaded.config, held);
  refuseTooSmallDisks(loaded.file, loaded.config, capacity);
  const quotas = {
    ...stackQuotas(loaded.file, loaded.config, topics),
    ...(registry.enabled ? { [SCHEMA_REGISTRY_USER]: SCHEMA_REGISTRY_QUOTAS } : {}),
  };
  return {
    stack: loaded.stack,
    file: loaded.file,
    config: loaded.config,
    topics,
    access:
      plan === undefined
        ? access
        : withMirroredConsumerAcls(access, services, (t) => remoteResourcesFor(plan, t)),
    capacity,
    quotas,
    subjects,
    ...(plan === undefined ? {} : { mirror: plan }),
  };
}
