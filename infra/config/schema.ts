import { z } from "zod";
import { COMPATIBILITY_MODES } from "../../topics/compatibility.ts";
import { isLegalSegment } from "../../topics/naming.ts";

/**
 * The typed schema of a stack's config (`Pulumi.<stack>.yaml`, keys under `kafka-platform:`).
 * Objects are strict: an unknown or misspelt field is an error that lists the allowed fields.
 * Pure module (zod only), shared by the render command, the Pulumi program and the tools.
 */

export const PROJECT = "kafka-platform";
export const SUPPORTED_KAFKA_VERSIONS = ["4.3.1"] as const;
export const SUPPORTED_METADATA_VERSIONS = ["4.3-IV0"] as const;
export const STRIMZI_VERSION = "1.2.0";
/** Apicurio Registry versions the repository runs and tests (local/registry.ts fetches the same). */
export const SUPPORTED_SCHEMA_REGISTRY_VERSIONS = ["3.3.3"] as const;

const k8sName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "must be a Kubernetes name: lowercase letters, digits and '-'",
  )
  .max(63);
const quantity = z
  .string()
  .regex(
    /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/,
    "must be a Kubernetes quantity such as 500m, 4Gi or 100Gi",
  );
const storageQuantity = z
  .string()
  .regex(/^[0-9]+(Gi|Ti)$/, "must be a size in Gi or Ti, such as 100Gi");

const resources = z
  .object({
    requests: z.object({ cpu: quantity, memory: quantity }).strict(),
    limits: z.object({ cpu: quantity.optional(), memory: quantity }).strict(),
  })
  .strict();

const storage = z
  .object({
    /** Size of each JBOD volume. */
    size: storageQuantity,
    /** StorageClass; omit for the cluster default. */
    class: k8sName.optional(),
    /** Number of JBOD volumes per node (the first also holds KRaft metadata). */
    volumes: z.number().int().min(1).max(4),
    /** Whether deleting the node pool deletes its volumes. Never true outside dev. */
    deleteClaim: z.boolean(),
  })
  .strict();

const pool = z
  .object({
    replicas: z.literal(3, { error: "must be 3: the platform runs 3 brokers and 3 controllers" }),
    storage,
    resources,
    /** JVM heap (-Xms and -Xmx), such as 2g. */
    heap: z.string().regex(/^[0-9]+[mg]$/, "must be a JVM size such as 512m or 2g"),
  })
  .strict();

const zoneName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a zone name such as us-east-1a");

/** A StorageClass fit for Kafka volumes: bound where the pod lands, and growable. */
const storageClass = z
  .object({
    name: k8sName,
    /** true: the stack creates the StorageClass; false: a prerequisite that must already exist as described. */
    create: z.boolean(),
    /** The CSI provisioner, such as ebs.csi.aws.com. */
    provisioner: z.string().min(1),
    parameters: z.record(z.string(), z.string()).optional(),
    reclaimPolicy: z.enum(["Retain", "Delete"]),
    volumeBindingMode: z.literal("WaitForFirstConsumer", {
      error:
        "must be WaitForFirstConsumer: a volume bound before its pod is scheduled pins the pod to the volume's zone",
    }),
    allowVolumeExpansion: z.literal(true, {
      error: "must be true: a full broker disk is fixed by growing the volume",
    }),
  })
  .strict();

/** Maintenance windows (Strimzi cron expressions, UTC): when CA renewal may roll pods. */
const cronExpression = z
  .string()
  .regex(
    /^(\S+\s+){5,6}\S+$/,
    "must be a Quartz cron expression with seconds, such as '* * 2-4 ? * SUN *'",
  );

const tenant = z
  .string()
  .refine(isLegalSegment, "must be one topic-name segment: [a-z0-9] joined by single '-'");

export const stackConfigSchema = z
  .object({
    environment: z.enum(["dev", "staging", "prod"]),
    region: z.string().regex(/^[a-z]{2}-[a-z]+-[0-9]$/, "must be a region id such as us-east-1"),
    kubernetes: z
      .object({
        /**
         * kubeconfig context of the stack's cluster. Required, so a stack never deploys to
         * whatever cluster kubectl happens to point at; the kubeconfig itself comes from the
         * `kubeconfig` secret when set, else from the ambient kubeconfig.
         */
        context: z.string().min(1),
        /** Namespace of the Kafka cluster and every Strimzi resource. */
        namespace: k8sName,
        /** Namespaces whose pods may reach the brokers carry this label with value "true". */
        clientNamespaceLabel: z
          .string()
          .regex(/^([a-z0-9.-]+\/)?[a-zA-Z0-9._-]+$/, "must be a label key"),
      })
      .strict(),
    operator: z
      .object({
        version: z.literal(STRIMZI_VERSION),
        namespace: k8sName,
        /**
         * The operator's Helm chart: omitted, the release's chart in its OCI registry; or a
         * chart folder, relative to the repository root (the local stack uses
         * ../shared/strimzi-helm-chart, the released chart, since no registry is reachable).
         */
        chart: z.string().min(1).optional(),
        /**
         * Whether `pulumi up` waits for the operator to run (an atomic Helm release). Default
         * true; false only where no pod can run (the local control plane, docs/control-plane.md).
         */
        awaitReady: z.boolean().optional(),
      })
      .strict(),
    cluster: z
      .object({
        name: k8sName,
        kafkaVersion: z.enum(SUPPORTED_KAFKA_VERSIONS),
        metadataVersion: z.enum(SUPPORTED_METADATA_VERSIONS),
        /**
         * `separate`: a broker pool and a controller pool. `combined`: one pool (`brokers`
         * describes it) whose nodes are both brokers and controllers; dev only, without Cruise
         * Control.
         */
        nodePools: z.enum(["separate", "combined"]),
        brokers: pool,
        /** Required with nodePools `separate`; absent with `combined`. */
        controllers: pool.optional(),
        /**
         * The zones the nodes run in (values of the rackTopologyKey node label). Required in
         * staging and prod; prod needs at least 3, one per controller.
         */
        zones: z
          .array(zoneName)
          .refine((t) => new Set(t).size === t.length, "must not repeat a zone")
          .optional(),
        /** The StorageClass of the Kafka volumes. Required in staging and prod. */
        storageClass: storageClass.optional(),
        /**
         * When Strimzi may roll pods for certificate renewal (Kafka spec
         * maintenanceTimeWindows). At least one window outside dev.
         */
        maintenanceTimeWindows: z.array(cronExpression).optional(),
        /** Node label that spreads replicas across failure domains (rack awareness). */
        rackTopologyKey: z.string().min(1),
        /** PodDisruptionBudget: how many nodes of a pool may be down voluntarily at once. */
        maxUnavailable: z.literal(1, {
          error: "must be 1: with min.insync.replicas 2 of 3, only one node may be down",
        }),
        cruiseControl: z.boolean(),
      })
      .strict(),
    tenants: z
      .array(tenant)
      .min(1, "must list at least one tenant")
      .refine((t) => new Set(t).size === t.length, "must not repeat a tenant"),
    /** Who manages topics, users and ACLs: the Strimzi operators, or @pulumi/kafka for a cluster Strimzi does not run. */
    topicManagement: z.enum(["strimzi", "kafka-provider"]),
    kafkaProvider: z
      .object({
        bootstrapServers: z
          .array(z.string().regex(/^[a-zA-Z0-9.-]+:[0-9]{2,5}$/, "must be host:port"))
          .min(1),
        tlsEnabled: z.boolean(),
        adminUsername: z.string().min(1),
        /**
         * PEM file of the CA the brokers' certificates are signed by, relative to the
         * repository root; omit for a publicly trusted CA.
         */
        caCertFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Protect the cluster, node pools and topics from deletion. Set false only to tear a stack down on purpose. */
    protectData: z.boolean(),
    /** Apicurio Registry with KafkaSQL storage (charts/schema-registry-chart.ts, decision 0012). */
    schemaRegistry: z
      .object({
        enabled: z.boolean(),
        replicas: z.number().int().min(1).max(5),
        /** Namespace the registry runs in, labelled as a client namespace; default schema-registry. */
        namespace: k8sName.optional(),
        /** Container image; the version is pinned to one the repository tests against. */
        image: z
          .object({
            repository: z.string().min(1).optional(),
            version: z.enum(SUPPORTED_SCHEMA_REGISTRY_VERSIONS),
          })
          .strict()
          .optional(),
        resources: resources.optional(),
        /**
         * Per-subject compatibility overrides for this stack (`<topic>-value` to a mode), on top of
         * the catalog's (topics/catalog.ts `compatibility`) and the BACKWARD default.
         */
        compatibility: z.record(z.string(), z.enum(COMPATIBILITY_MODES)).optional(),
      })
      .strict(),
    /**
     * MirrorMaker 2 between regions (docs/mirror-maker.md, decision 0013). `mode` decides the
     * replication policy: active-passive keeps topic names (identity), active-active prefixes
     * them with the source region (Kafka's DefaultReplicationPolicy), so nothing loops.
     */
    mirrorMaker: z
      .object({
        enabled: z.boolean(),
        mode: z.enum(["active-passive", "active-active"]).optional(),
        /** identity with active-passive, prefixed with active-active; both connectors use it. */
        replicationPolicy: z.enum(["identity", "prefixed"]).optional(),
        /**
         * active-passive only: `active` serves producers and is mirrored from; `passive`
         * receives (runs MirrorMaker 2) and takes over on failover.
         */
        role: z.enum(["active", "passive"]).optional(),
        /** The other regions' stacks, how to reach them, and the networks they connect from. */
        peers: z
          .array(
            z
              .object({
                /** The peer's stack (Pulumi.<stack>.yaml). */
                stack: z.string().min(1),
                /** The peer's region; also MirrorMaker's alias of that cluster. */
                region: z
                  .string()
                  .regex(/^[a-z]{2}-[a-z]+-[0-9]$/, "must be a region id such as eu-west-1"),
                /** The peer's replication listener (bootstrap host:port). */
                bootstrap: z.string().regex(/^[a-zA-Z0-9.-]+:[0-9]{2,5}$/, "must be host:port"),
                /** CIDRs the peer's MirrorMaker connects from: NetworkPolicy ipBlock peers. */
                networks: z
                  .array(
                    z
                      .string()
                      .regex(
                        /^[0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}$/,
                        "must be an IPv4 CIDR such as 10.20.0.0/16",
                      ),
                  )
                  .min(1),
              })
              .strict(),
          )
          .optional(),
        /** Catalog topic templates that replicate (the catalog marks which may). */
        topics: z.array(z.string().min(1)).optional(),
        /** Recovery point objective in seconds: the most recent data a failover may lose. */
        rpoSeconds: z.number().int().positive().optional(),
        /** The listener the peer region reaches this cluster on (an internal load balancer). */
        listener: z
          .object({
            /** DNS name of the bootstrap load balancer; also a certificate alternative name. */
            bootstrapHost: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name"),
            /** One DNS name per broker, in broker order (advertised, and in the certificates). */
            brokerHosts: z
              .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name"))
              .min(1),
            /** Annotations of the load balancer Services, such as the cloud's internal-scheme one. */
            annotations: z.record(z.string(), z.string()).optional(),
          })
          .strict()
          .optional(),
        replicas: z.number().int().min(1).max(5),
      })
      .strict(),
    /**
     * Per-service quota overrides (per broker). The catalog sizes every service's quotas; an
     * override may only tighten or widen them within what the catalog's rates need.
     */
    quotas: z
      .record(
        z.string(),
        z
          .object({
            producerByteRate: z.number().int().positive().optional(),
            consumerByteRate: z.number().int().positive().optional(),
            requestPercentage: z.number().positive().max(1100).optional(),
          })
          .strict(),
      )
      .optional(),
    monitoring: z
      .object({
        enabled: z.boolean(),
        /** Labels the Prometheus instance selects PodMonitors and PrometheusRules by. */
        prometheusSelector: z.record(z.string(), z.string()),
        /** Namespace Prometheus and kube-state-metrics run in: the custom-resource metrics config goes there. */
        prometheusNamespace: k8sName,
        /** Namespace where Grafana's sidecar picks up dashboard ConfigMaps. */
        grafanaNamespace: k8sName,
      })
      .strict(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: "custom", path, message });
    };
    const cl = c.cluster;
    if (cl.nodePools === "separate" && cl.controllers === undefined) {
      issue(["cluster", "controllers"], "is required when nodePools is separate");
    }
    if (cl.nodePools === "combined") {
      if (cl.controllers !== undefined) {
        issue(
          ["cluster", "controllers"],
          "must be omitted when nodePools is combined: the brokers pool also runs the controllers",
        );
      }
      if (c.environment !== "dev") {
        issue(
          ["cluster", "nodePools"],
          `must be separate in ${c.environment}: brokers and controllers keep their own pools outside dev (allowed: separate)`,
        );
      }
      if (cl.cruiseControl) {
        issue(
          ["cluster", "cruiseControl"],
          "must be false when nodePools is combined: the combined pool is the cheap dev layout",
        );
      }
    }
    if (c.environment !== "dev") {
      if (cl.zones === undefined || cl.zones.length === 0) {
        issue(
          ["cluster", "zones"],
          `is required in ${c.environment}: name the zones the nodes run in`,
        );
      }
      if (cl.storageClass === undefined) {
        issue(
          ["cluster", "storageClass"],
          `is required in ${c.environment}: a StorageClass with WaitForFirstConsumer and allowVolumeExpansion`,
        );
      }
      if ((cl.maintenanceTimeWindows ?? []).length === 0) {
        issue(
          ["cluster", "maintenanceTimeWindows"],
          `needs at least one window in ${c.environment}, so CA renewal rolls only happen in a change window`,
        );
      }
    }
    if (c.environment === "prod") {
      const controllers =
        cl.nodePools === "combined" ? cl.brokers.replicas : (cl.controllers?.replicas ?? 0);
      const zones = cl.zones?.length ?? 0;
      if (cl.zones !== undefined && zones < controllers) {
        issue(
          ["cluster", "zones"],
          `names ${zones} zone${zones === 1 ? "" : "s"} for ${controllers} controllers: losing one zone would take ${Math.ceil(controllers / Math.max(zones, 1))} of ${controllers} controllers and the KRaft quorum with it; prod needs at least ${controllers} zones`,
        );
      }
      if (cl.storageClass !== undefined && cl.storageClass.reclaimPolicy !== "Retain") {
        issue(
          ["cluster", "storageClass", "reclaimPolicy"],
          `must be Retain in prod (got ${cl.storageClass.reclaimPolicy}): a deleted claim must not delete the broker's data`,
        );
      }
    }
    if (cl.storageClass !== undefined) {
      for (const p of ["brokers", "controllers"] as const) {
        const declared = cl[p]?.storage.class;
        if (cl[p] !== undefined && declared !== cl.storageClass.name) {
          issue(
            ["cluster", p, "storage", "class"],
            `must be the declared storageClass "${cl.storageClass.name}" (got ${declared === undefined ? "none: the cluster default" : JSON.stringify(declared)})`,
          );
        }
      }
    }
    if (c.topicManagement === "kafka-provider" && c.kafkaProvider === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["kafkaProvider"],
        message: "is required when topicManagement is kafka-provider",
      });
    }
    if (c.environment !== "dev") {
      for (const p of ["brokers", "controllers"] as const) {
        if (c.cluster[p]?.storage.deleteClaim === true) {
          ctx.addIssue({
            code: "custom",
            path: ["cluster", p, "storage", "deleteClaim"],
            message: `must be false outside dev: deleting the pool would delete its data`,
          });
        }
      }
    }
    if (c.operator.awaitReady === false && c.environment !== "dev") {
      ctx.addIssue({
        code: "custom",
        path: ["operator", "awaitReady"],
        message:
          "may be false only in dev (a release that does not wait can leave a broken operator running); allowed: true",
      });
    }
    const mm = c.mirrorMaker;
    if (mm.enabled) {
      const required = ["mode", "replicationPolicy", "peers", "topics", "rpoSeconds", "listener"];
      for (const f of required as (keyof typeof mm)[]) {
        if (mm[f] === undefined) issue(["mirrorMaker", f], "is required when enabled");
      }
      if (mm.peers !== undefined && mm.peers.length === 0)
        issue(["mirrorMaker", "peers"], "must name at least one peer when enabled");
      if (mm.mode === "active-active" && mm.replicationPolicy === "identity") {
        issue(
          ["mirrorMaker", "replicationPolicy"],
          "must be prefixed with mode active-active: with identity names each region would mirror the other's copies back, a loop (allowed: prefixed)",
        );
      }
      if (mm.mode === "active-passive" && mm.replicationPolicy === "prefixed") {
        issue(
          ["mirrorMaker", "replicationPolicy"],
          "must be identity with mode active-passive: consumers fail over to the same topic names (allowed: identity)",
        );
      }
      if (mm.mode === "active-passive" && mm.role === undefined)
        issue(
          ["mirrorMaker", "role"],
          "is required with mode active-passive (allowed: active, passive)",
        );
      if (mm.mode === "active-active" && mm.role !== undefined)
        issue(
          ["mirrorMaker", "role"],
          "must be omitted with mode active-active: both regions receive",
        );
      (mm.peers ?? []).forEach((p, i) => {
        if (p.region === c.region)
          issue(["mirrorMaker", "peers", i, "region"], "must be another region than this stack's");
      });
      if (mm.listener !== undefined && mm.listener.brokerHosts.length !== cl.brokers.replicas) {
        issue(
          ["mirrorMaker", "listener", "brokerHosts"],
          `names ${mm.listener.brokerHosts.length} hosts for ${cl.brokers.replicas} brokers: one per broker`,
        );
      }
    }
  });

export type StackConfig = z.infer<typeof stackConfigSchema>;
