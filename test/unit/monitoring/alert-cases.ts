import type { ExpectedAlert, PromtoolTestCase } from "./promtool.ts";
import {
  BROKERS,
  CONTROLLERS,
  broker,
  clusterOperator,
  controller,
  kafkaExporter,
  mirrorMakerWorker,
  series,
} from "./strimzi-series.ts";
import { mirrorMakerAlertCases } from "./mirror-maker-alert-cases.ts";
import { schemaRegistryAlertCases } from "./schema-registry-alert-cases.ts";

/**
 * promtool unit tests for every alert of the prod-eu-west-1 stack (cluster chat-kafka in
 * namespace kafka, 3 brokers in pool `brokers`, 3 controllers in pool `controllers`,
 * MirrorMaker 2 with 2 workers). Each alert has cases where it fires, with every label and
 * annotation written out, and cases where it must stay silent.
 */
const RUNBOOKS = "https://github.com/chat-platform/kafka-platform/blob/main/docs/runbooks";
const cluster = { namespace: "kafka", strimzi_io_cluster: "chat-kafka" };

function expected(
  alert: string,
  severity: string,
  labels: Record<string, string>,
  summary: string,
  description: string,
): ExpectedAlert {
  return {
    exp_labels: { severity, ...labels },
    exp_annotations: { summary, description, runbook_url: `${RUNBOOKS}/${alert}.md` },
  };
}

const allUp = (metric: string): { series: string; values: string }[] => [
  ...BROKERS.map((id) => ({ series: series(metric, broker(id)), values: "1x20" })),
  ...CONTROLLERS.map((id) => ({ series: series(metric, controller(id)), values: "1x20" })),
];

export const alertCases: Record<string, PromtoolTestCase[]> = {
  ...mirrorMakerAlertCases,
  ...schemaRegistryAlertCases,
  KafkaBrokerDown: [
    {
      name: "one broker's target is down for longer than 3m",
      interval: "1m",
      input_series: [
        { series: series("up", broker(100)), values: "1x10" },
        { series: series("up", broker(101)), values: "1x10" },
        { series: series("up", broker(102)), values: "1 1 0x8" },
        ...CONTROLLERS.map((id) => ({ series: series("up", controller(id)), values: "1x10" })),
      ],
      alert_rule_test: [
        { eval_time: "4m", alertname: "KafkaBrokerDown", exp_alerts: [] },
        {
          eval_time: "6m",
          alertname: "KafkaBrokerDown",
          exp_alerts: [
            expected(
              "KafkaBrokerDown",
              "critical",
              cluster,
              "Kafka brokers are down.",
              "Only 2 of 3 brokers of cluster chat-kafka in kafka are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "a broker pod is gone (its target disappears)",
      interval: "1m",
      input_series: [
        { series: series("up", broker(100)), values: "1x10" },
        { series: series("up", broker(101)), values: "1x10" },
        { series: series("up", broker(102)), values: "1 1 stale" },
      ],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "KafkaBrokerDown",
          exp_alerts: [
            expected(
              "KafkaBrokerDown",
              "critical",
              cluster,
              "Kafka brokers are down.",
              "Only 2 of 3 brokers of cluster chat-kafka in kafka are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "no broker target at all",
      interval: "1m",
      input_series: CONTROLLERS.map((id) => ({
        series: series("up", controller(id)),
        values: "1x10",
      })),
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaBrokerDown",
          exp_alerts: [
            expected(
              "KafkaBrokerDown",
              "critical",
              cluster,
              "Kafka brokers are down.",
              "Only 0 of 3 brokers of cluster chat-kafka in kafka are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "healthy node-pool cluster, and a restart shorter than 3m, stay silent",
      interval: "1m",
      input_series: [
        { series: series("up", broker(100)), values: "1x10" },
        { series: series("up", broker(101)), values: "1 1 0 0 1x6" },
        { series: series("up", broker(102)), values: "1x10" },
        ...CONTROLLERS.map((id) => ({ series: series("up", controller(id)), values: "1x10" })),
      ],
      alert_rule_test: [
        { eval_time: "4m", alertname: "KafkaBrokerDown", exp_alerts: [] },
        { eval_time: "8m", alertname: "KafkaBrokerDown", exp_alerts: [] },
      ],
    },
  ],

  KafkaControllerDown: [
    {
      name: "one controller down for longer than 3m",
      interval: "1m",
      input_series: [
        ...BROKERS.map((id) => ({ series: series("up", broker(id)), values: "1x10" })),
        { series: series("up", controller(0)), values: "1x10" },
        { series: series("up", controller(1)), values: "0x10" },
        { series: series("up", controller(2)), values: "1x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaControllerDown",
          exp_alerts: [
            expected(
              "KafkaControllerDown",
              "critical",
              cluster,
              "KRaft controllers are down.",
              "Only 2 of 3 KRaft controllers of cluster chat-kafka in kafka are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "all controllers up (a broker down is not a controller down)",
      interval: "1m",
      input_series: [
        { series: series("up", broker(100)), values: "0x10" },
        ...CONTROLLERS.map((id) => ({ series: series("up", controller(id)), values: "1x10" })),
      ],
      alert_rule_test: [{ eval_time: "5m", alertname: "KafkaControllerDown", exp_alerts: [] }],
    },
  ],

  KafkaActiveControllerCountNotOne: (() => {
    const active = (id: 0 | 1 | 2): string =>
      series("kafka_controller_kafkacontroller_activecontrollercount", controller(id));
    const controllersUp = CONTROLLERS.map((id) => ({
      series: series("up", controller(id)),
      values: "1x10",
    }));
    const summary = "The KRaft quorum does not have exactly one active controller.";
    return [
      {
        name: "no active controller while every controller is scraped",
        interval: "1m",
        input_series: [
          ...controllersUp,
          ...CONTROLLERS.map((id) => ({ series: active(id), values: "0x10" })),
        ],
        alert_rule_test: [
          {
            eval_time: "3m",
            alertname: "KafkaActiveControllerCountNotOne",
            exp_alerts: [
              expected(
                "KafkaActiveControllerCountNotOne",
                "critical",
                cluster,
                summary,
                "Cluster chat-kafka in kafka reports 0 active controllers instead of 1.",
              ),
            ],
          },
        ],
      },
      {
        name: "two active controllers",
        interval: "1m",
        input_series: [
          ...controllersUp,
          { series: active(0), values: "1x10" },
          { series: active(1), values: "1x10" },
          { series: active(2), values: "0x10" },
        ],
        alert_rule_test: [
          {
            eval_time: "3m",
            alertname: "KafkaActiveControllerCountNotOne",
            exp_alerts: [
              expected(
                "KafkaActiveControllerCountNotOne",
                "critical",
                cluster,
                summary,
                "Cluster chat-kafka in kafka reports 2 active controllers instead of 1.",
              ),
            ],
          },
        ],
      },
      {
        name: "exactly one active controller, and a failover shorter than 1m",
        interval: "1m",
        input_series: [
          ...controllersUp,
          { series: active(0), values: "1 1 0x8" },
          { series: active(1), values: "0 0 0 1x7" },
          { series: active(2), values: "0x10" },
        ],
        alert_rule_test: [
          { eval_time: "1m", alertname: "KafkaActiveControllerCountNotOne", exp_alerts: [] },
          { eval_time: "6m", alertname: "KafkaActiveControllerCountNotOne", exp_alerts: [] },
        ],
      },
      {
        name: "the active controller's scrape fails: its count is missing, but that is KafkaControllerDown's concern",
        interval: "1m",
        input_series: [
          { series: series("up", controller(0)), values: "0x10" },
          { series: series("up", controller(1)), values: "1x10" },
          { series: series("up", controller(2)), values: "1x10" },
          { series: active(1), values: "0x10" },
          { series: active(2), values: "0x10" },
        ],
        alert_rule_test: [
          { eval_time: "5m", alertname: "KafkaActiveControllerCountNotOne", exp_alerts: [] },
        ],
      },
    ];
  })(),

  KafkaOfflinePartitions: [
    {
      name: "every controller reports the same 3 offline partitions",
      interval: "1m",
      input_series: CONTROLLERS.map((id) => ({
        series: series("kafka_controller_kafkacontroller_offlinepartitionscount", controller(id)),
        values: "0 3x10",
      })),
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaOfflinePartitions",
          exp_alerts: [
            expected(
              "KafkaOfflinePartitions",
              "critical",
              cluster,
              "Kafka partitions have no leader.",
              "Cluster chat-kafka in kafka has 3 offline partitions: producers and consumers of them are stuck.",
            ),
          ],
        },
      ],
    },
    {
      name: "no offline partitions",
      interval: "1m",
      input_series: CONTROLLERS.map((id) => ({
        series: series("kafka_controller_kafkacontroller_offlinepartitionscount", controller(id)),
        values: "0x10",
      })),
      alert_rule_test: [{ eval_time: "5m", alertname: "KafkaOfflinePartitions", exp_alerts: [] }],
    },
  ],

  KafkaUnderMinIsrPartitions: [
    {
      name: "two partitions under min ISR on one broker",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_underminisrpartitioncount", broker(100)),
          values: "2x10",
        },
        {
          series: series("kafka_server_replicamanager_underminisrpartitioncount", broker(101)),
          values: "0x10",
        },
        {
          series: series("kafka_server_replicamanager_underminisrpartitioncount", broker(102)),
          values: "0x10",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaUnderMinIsrPartitions",
          exp_alerts: [
            expected(
              "KafkaUnderMinIsrPartitions",
              "critical",
              cluster,
              "Kafka partitions are below min.insync.replicas and reject acks=all writes.",
              "Cluster chat-kafka in kafka has 2 partitions under their minimum in-sync replicas.",
            ),
          ],
        },
      ],
    },
    {
      name: "all partitions at or above min ISR",
      interval: "1m",
      input_series: BROKERS.map((id) => ({
        series: series("kafka_server_replicamanager_underminisrpartitioncount", broker(id)),
        values: "0x10",
      })),
      alert_rule_test: [
        { eval_time: "5m", alertname: "KafkaUnderMinIsrPartitions", exp_alerts: [] },
      ],
    },
  ],

  KafkaUnderReplicatedPartitions: [
    {
      name: "3 under-replicated partitions: warning only",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(100)),
          values: "1x10",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(101)),
          values: "2x10",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(102)),
          values: "0x10",
        },
      ],
      alert_rule_test: [
        { eval_time: "1m", alertname: "KafkaUnderReplicatedPartitions", exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: "KafkaUnderReplicatedPartitions",
          exp_alerts: [
            expected(
              "KafkaUnderReplicatedPartitions",
              "warning",
              cluster,
              "Kafka partitions are under-replicated.",
              "Cluster chat-kafka in kafka has 3 under-replicated partitions (threshold 0).",
            ),
          ],
        },
      ],
    },
    {
      name: "7 under-replicated partitions: warning and critical",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(100)),
          values: "4x10",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(101)),
          values: "3x10",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(102)),
          values: "0x10",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaUnderReplicatedPartitions",
          exp_alerts: [
            expected(
              "KafkaUnderReplicatedPartitions",
              "warning",
              cluster,
              "Kafka partitions are under-replicated.",
              "Cluster chat-kafka in kafka has 7 under-replicated partitions (threshold 0).",
            ),
            expected(
              "KafkaUnderReplicatedPartitions",
              "critical",
              cluster,
              "Kafka partitions are under-replicated.",
              "Cluster chat-kafka in kafka has 7 under-replicated partitions (threshold 5).",
            ),
          ],
        },
      ],
    },
    {
      name: "fully replicated, and a 1-minute blip during a roll, stay silent",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(100)),
          values: "0 0 0 9 0x6",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(101)),
          values: "0x10",
        },
        {
          series: series("kafka_server_replicamanager_underreplicatedpartitions", broker(102)),
          values: "0x10",
        },
      ],
      alert_rule_test: [
        { eval_time: "4m", alertname: "KafkaUnderReplicatedPartitions", exp_alerts: [] },
        { eval_time: "8m", alertname: "KafkaUnderReplicatedPartitions", exp_alerts: [] },
      ],
    },
  ],

  KafkaIsrShrinkRateHigh: [
    {
      name: "2 shrinks per minute on one broker: warning",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_isrshrinks_total", broker(100)),
          values: "0+2x20",
        },
        {
          series: series("kafka_server_replicamanager_isrshrinks_total", broker(101)),
          values: "7x20",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "15m",
          alertname: "KafkaIsrShrinkRateHigh",
          exp_alerts: [
            expected(
              "KafkaIsrShrinkRateHigh",
              "warning",
              { ...cluster, strimzi_io_pool_name: "brokers", pod: "chat-kafka-brokers-100" },
              "A Kafka broker keeps shrinking in-sync replica sets.",
              "Broker chat-kafka-brokers-100 (pool brokers) of cluster chat-kafka shrinks ISRs 2.0 times per minute (threshold 1).",
            ),
          ],
        },
      ],
    },
    {
      name: "10 shrinks per minute: warning and critical",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_isrshrinks_total", broker(102)),
          values: "0+10x20",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "15m",
          alertname: "KafkaIsrShrinkRateHigh",
          exp_alerts: [
            expected(
              "KafkaIsrShrinkRateHigh",
              "warning",
              { ...cluster, strimzi_io_pool_name: "brokers", pod: "chat-kafka-brokers-102" },
              "A Kafka broker keeps shrinking in-sync replica sets.",
              "Broker chat-kafka-brokers-102 (pool brokers) of cluster chat-kafka shrinks ISRs 10.0 times per minute (threshold 1).",
            ),
            expected(
              "KafkaIsrShrinkRateHigh",
              "critical",
              { ...cluster, strimzi_io_pool_name: "brokers", pod: "chat-kafka-brokers-102" },
              "A Kafka broker keeps shrinking in-sync replica sets.",
              "Broker chat-kafka-brokers-102 (pool brokers) of cluster chat-kafka shrinks ISRs 10.0 times per minute (threshold 5).",
            ),
          ],
        },
      ],
    },
    {
      name: "half a shrink per minute, and a high but old total, stay silent",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_server_replicamanager_isrshrinks_total", broker(100)),
          values: "0+0.5x20",
        },
        {
          series: series("kafka_server_replicamanager_isrshrinks_total", broker(101)),
          values: "5000x20",
        },
      ],
      alert_rule_test: [{ eval_time: "15m", alertname: "KafkaIsrShrinkRateHigh", exp_alerts: [] }],
    },
  ],

  KafkaRequestLatencyHigh: [
    {
      name: "Produce p99 150 ms on one broker; Fetch phases 555 ms on another",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_network_requestmetrics_totaltimems", {
            ...broker(100),
            request: "Produce",
            quantile: "0.99",
          }),
          values: "150x10",
        },
        {
          series: series("kafka_network_requestmetrics_totaltimems", {
            ...broker(100),
            request: "Produce",
            quantile: "0.50",
          }),
          values: "3x10",
        },
        {
          series: series("kafka_network_requestmetrics_requestqueuetimems", {
            ...broker(101),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "5x10",
        },
        {
          series: series("kafka_network_requestmetrics_localtimems", {
            ...broker(101),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "100x10",
        },
        {
          series: series("kafka_network_requestmetrics_responsequeuetimems", {
            ...broker(101),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "400x10",
        },
        {
          series: series("kafka_network_requestmetrics_responsesendtimems", {
            ...broker(101),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "50x10",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "KafkaRequestLatencyHigh",
          exp_alerts: [
            expected(
              "KafkaRequestLatencyHigh",
              "warning",
              {
                ...cluster,
                strimzi_io_pool_name: "brokers",
                pod: "chat-kafka-brokers-100",
                request: "Produce",
              },
              "Kafka Produce or Fetch requests are slow at the 99th percentile.",
              "Produce requests on broker chat-kafka-brokers-100 of cluster chat-kafka take 150 ms at p99 (threshold 100 ms).",
            ),
            expected(
              "KafkaRequestLatencyHigh",
              "warning",
              {
                ...cluster,
                strimzi_io_pool_name: "brokers",
                pod: "chat-kafka-brokers-101",
                request: "Fetch",
              },
              "Kafka Produce or Fetch requests are slow at the 99th percentile.",
              "Fetch requests on broker chat-kafka-brokers-101 of cluster chat-kafka take 555 ms at p99 (threshold 100 ms).",
            ),
            expected(
              "KafkaRequestLatencyHigh",
              "critical",
              {
                ...cluster,
                strimzi_io_pool_name: "brokers",
                pod: "chat-kafka-brokers-101",
                request: "Fetch",
              },
              "Kafka Produce or Fetch requests are slow at the 99th percentile.",
              "Fetch requests on broker chat-kafka-brokers-101 of cluster chat-kafka take 555 ms at p99 (threshold 500 ms).",
            ),
          ],
        },
      ],
    },
    {
      name: "idle long-poll Fetch (500 ms total, all of it purgatory) and fast Produce stay silent",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_network_requestmetrics_totaltimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "501x10",
        },
        {
          series: series("kafka_network_requestmetrics_remotetimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "499x10",
        },
        {
          series: series("kafka_network_requestmetrics_requestqueuetimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "0.2x10",
        },
        {
          series: series("kafka_network_requestmetrics_localtimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "1x10",
        },
        {
          series: series("kafka_network_requestmetrics_responsequeuetimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "0.1x10",
        },
        {
          series: series("kafka_network_requestmetrics_responsesendtimems", {
            ...broker(100),
            request: "Fetch",
            quantile: "0.99",
          }),
          values: "0.3x10",
        },
        {
          series: series("kafka_network_requestmetrics_totaltimems", {
            ...broker(100),
            request: "Produce",
            quantile: "0.99",
          }),
          values: "12x10",
        },
        {
          series: series("kafka_network_requestmetrics_totaltimems", {
            ...broker(100),
            request: "Produce",
            quantile: "0.999",
          }),
          values: "900x10",
        },
      ],
      alert_rule_test: [{ eval_time: "8m", alertname: "KafkaRequestLatencyHigh", exp_alerts: [] }],
    },
  ],

  KafkaDiskUsageHigh: (() => {
    const kubelet = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-100",
      job: "kubelet",
      instance: "10.0.0.17:10250",
      node: "ip-10-0-0-17",
      metrics_path: "/metrics",
    };
    const pvcLabels = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-100",
      job: "kube-state-metrics",
      label_strimzi_io_cluster: "chat-kafka",
      label_strimzi_io_pool_name: "brokers",
    };
    const other = {
      ...kubelet,
      namespace: "search",
      persistentvolumeclaim: "data-elasticsearch-0",
    };
    const labels = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-100",
      label_strimzi_io_pool_name: "brokers",
    };
    const summary = "A Kafka volume is filling up.";
    return [
      {
        name: "a broker volume 75% full: warning",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_capacity_bytes", kubelet), values: "100x20" },
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "25x20" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x20" },
        ],
        alert_rule_test: [
          {
            eval_time: "15m",
            alertname: "KafkaDiskUsageHigh",
            exp_alerts: [
              expected(
                "KafkaDiskUsageHigh",
                "warning",
                labels,
                summary,
                "Volume data-0-chat-kafka-brokers-100 (pool brokers) in kafka is 75% full (threshold 70%).",
              ),
            ],
          },
        ],
      },
      {
        name: "a broker volume 90% full: warning and critical",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_capacity_bytes", kubelet), values: "100x20" },
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "10x20" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x20" },
        ],
        alert_rule_test: [
          {
            eval_time: "15m",
            alertname: "KafkaDiskUsageHigh",
            exp_alerts: [
              expected(
                "KafkaDiskUsageHigh",
                "warning",
                labels,
                summary,
                "Volume data-0-chat-kafka-brokers-100 (pool brokers) in kafka is 90% full (threshold 70%).",
              ),
              expected(
                "KafkaDiskUsageHigh",
                "critical",
                labels,
                summary,
                "Volume data-0-chat-kafka-brokers-100 (pool brokers) in kafka is 90% full (threshold 85%).",
              ),
            ],
          },
        ],
      },
      {
        name: "a 60% full Kafka volume, and a full volume of another app, stay silent",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_capacity_bytes", kubelet), values: "100x20" },
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "40x20" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x20" },
          { series: series("kubelet_volume_stats_capacity_bytes", other), values: "100x20" },
          { series: series("kubelet_volume_stats_available_bytes", other), values: "1x20" },
        ],
        alert_rule_test: [{ eval_time: "15m", alertname: "KafkaDiskUsageHigh", exp_alerts: [] }],
      },
    ];
  })(),

  KafkaDiskFillPredicted: (() => {
    const kubelet = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-101",
      job: "kubelet",
      instance: "10.0.0.18:10250",
      node: "ip-10-0-0-18",
      metrics_path: "/metrics",
    };
    const pvcLabels = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-101",
      job: "kube-state-metrics",
      label_strimzi_io_cluster: "chat-kafka",
      label_strimzi_io_pool_name: "brokers",
    };
    return [
      {
        // 2 bytes less free every minute: at 7h, 160 B free and 2 × 1440 = 2880 B more a day,
        // so 24h ahead the prediction is 160 - 2880 = -2720 B (-2.656 KiB).
        name: "a broker volume losing free space steadily for 7 hours: fills within a day",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_capacity_bytes", kubelet), values: "1000x500" },
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "1000-2x500" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x500" },
        ],
        alert_rule_test: [
          {
            eval_time: "7h",
            alertname: "KafkaDiskFillPredicted",
            exp_alerts: [
              expected(
                "KafkaDiskFillPredicted",
                "warning",
                {
                  namespace: "kafka",
                  persistentvolumeclaim: "data-0-chat-kafka-brokers-101",
                  label_strimzi_io_pool_name: "brokers",
                },
                "A Kafka volume will be full within a day at its current rate.",
                "Volume data-0-chat-kafka-brokers-101 (pool brokers) in kafka fills within 24h if it keeps growing as over the last 6h (predicted free space -2.656kiB).",
              ),
            ],
          },
        ],
      },
      {
        name: "a volume whose free space is flat stays silent, however full",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_capacity_bytes", kubelet), values: "1000x500" },
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "50x500" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x500" },
        ],
        alert_rule_test: [{ eval_time: "7h", alertname: "KafkaDiskFillPredicted", exp_alerts: [] }],
      },
    ];
  })(),

  KafkaDiskUsageMetricsAbsent: (() => {
    const kubelet = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-100",
      job: "kubelet",
    };
    const pvcLabels = {
      namespace: "kafka",
      persistentvolumeclaim: "data-0-chat-kafka-brokers-100",
      job: "kube-state-metrics",
      label_strimzi_io_cluster: "chat-kafka",
      label_strimzi_io_pool_name: "brokers",
    };
    const summary = "The Kafka volumes' usage is not monitored.";
    return [
      {
        name: "kubelet volume stats missing for the Kafka namespace",
        interval: "1m",
        input_series: [
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x30" },
        ],
        alert_rule_test: [
          { eval_time: "10m", alertname: "KafkaDiskUsageMetricsAbsent", exp_alerts: [] },
          {
            eval_time: "20m",
            alertname: "KafkaDiskUsageMetricsAbsent",
            exp_alerts: [
              expected(
                "KafkaDiskUsageMetricsAbsent",
                "warning",
                { namespace: "kafka" },
                summary,
                "No kubelet_volume_stats_available_bytes (kubelet) in kafka: the disk alerts cannot fire.",
              ),
            ],
          },
        ],
      },
      {
        name: "kube-state-metrics PVC labels missing for the cluster",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "1x30" },
        ],
        alert_rule_test: [
          {
            eval_time: "20m",
            alertname: "KafkaDiskUsageMetricsAbsent",
            exp_alerts: [
              expected(
                "KafkaDiskUsageMetricsAbsent",
                "warning",
                { namespace: "kafka", label_strimzi_io_cluster: "chat-kafka" },
                summary,
                "No kube_persistentvolumeclaim_labels (kube-state-metrics) for cluster chat-kafka in kafka: the disk alerts cannot fire.",
              ),
            ],
          },
        ],
      },
      {
        name: "both series present: silent",
        interval: "1m",
        input_series: [
          { series: series("kubelet_volume_stats_available_bytes", kubelet), values: "1x30" },
          { series: series("kube_persistentvolumeclaim_labels", pvcLabels), values: "1x30" },
        ],
        alert_rule_test: [
          { eval_time: "20m", alertname: "KafkaDiskUsageMetricsAbsent", exp_alerts: [] },
        ],
      },
    ];
  })(),

  KafkaCustomResourceNotReady: (() => {
    const ksm = { job: "kube-state-metrics", namespace: "monitoring" };
    const info = (
      metric: string,
      kind: string,
      name: string,
      ready: string,
      reason: string,
    ): string =>
      series(metric, {
        ...ksm,
        customresource_group: "kafka.strimzi.io",
        customresource_kind: kind,
        customresource_version: "v1",
        exported_namespace: "kafka",
        name,
        ready,
        reason,
      });
    const summary = "A Strimzi resource is not Ready.";
    return [
      {
        name: "a KafkaTopic Ready=False and a KafkaUser without status for 20 minutes",
        interval: "1m",
        input_series: [
          {
            series: info(
              "strimzi_kafka_topic_resource_info",
              "KafkaTopic",
              "audit.log",
              "False",
              "NotSupported",
            ),
            values: "1x30",
          },
          {
            series: series("strimzi_kafka_user_resource_info", {
              ...ksm,
              customresource_group: "kafka.strimzi.io",
              customresource_kind: "KafkaUser",
              customresource_version: "v1",
              exported_namespace: "kafka",
              name: "audit-service",
            }),
            values: "1x30",
          },
          {
            series: info("strimzi_kafka_resource_info", "Kafka", "chat-kafka", "True", "Ready"),
            values: "1x30",
          },
        ],
        alert_rule_test: [
          { eval_time: "10m", alertname: "KafkaCustomResourceNotReady", exp_alerts: [] },
          {
            eval_time: "20m",
            alertname: "KafkaCustomResourceNotReady",
            exp_alerts: [
              expected(
                "KafkaCustomResourceNotReady",
                "warning",
                {
                  customresource_kind: "KafkaTopic",
                  exported_namespace: "kafka",
                  name: "audit.log",
                  reason: "NotSupported",
                },
                summary,
                "KafkaTopic audit.log in kafka has not been Ready for 15 minutes (reason: NotSupported).",
              ),
              expected(
                "KafkaCustomResourceNotReady",
                "warning",
                {
                  customresource_kind: "KafkaUser",
                  exported_namespace: "kafka",
                  name: "audit-service",
                },
                summary,
                "KafkaUser audit-service in kafka has not been Ready for 15 minutes (reason: no Ready condition).",
              ),
            ],
          },
        ],
      },
      {
        name: "ready resources, and a not-ready one of another namespace, stay silent",
        interval: "1m",
        input_series: [
          {
            series: info(
              "strimzi_kafka_node_pool_resource_info",
              "KafkaNodePool",
              "brokers",
              "True",
              "Ready",
            ),
            values: "1x30",
          },
          {
            series: series("strimzi_kafka_topic_resource_info", {
              ...ksm,
              customresource_kind: "KafkaTopic",
              exported_namespace: "other-team",
              name: "theirs",
              ready: "False",
            }),
            values: "1x30",
          },
        ],
        alert_rule_test: [
          { eval_time: "20m", alertname: "KafkaCustomResourceNotReady", exp_alerts: [] },
        ],
      },
    ];
  })(),

  KafkaConsumerGroupLagHigh: (() => {
    const lag = (group: string, topic: string, partition: number): string =>
      series("kafka_consumergroup_lag", {
        ...kafkaExporter,
        consumergroup: group,
        topic,
        partition: String(partition),
      });
    const summary = "A catalog consumer group is falling behind its topics.";
    return [
      {
        name: "message-processor 15000 behind over three partitions: warning",
        interval: "1m",
        input_series: [0, 1, 2].map((p) => ({
          series: lag("message-processor", "chat.messages.acme", p),
          values: "5000x20",
        })),
        alert_rule_test: [
          {
            eval_time: "15m",
            alertname: "KafkaConsumerGroupLagHigh",
            exp_alerts: [
              expected(
                "KafkaConsumerGroupLagHigh",
                "warning",
                { ...cluster, consumergroup: "message-processor" },
                summary,
                "Consumer group message-processor of cluster chat-kafka in kafka is 15000 messages behind (threshold 10000).",
              ),
            ],
          },
        ],
      },
      {
        name: "search-indexer 120000 behind: warning and critical",
        interval: "1m",
        input_series: [
          { series: lag("search-indexer", "chat.events", 0), values: "60000x20" },
          { series: lag("search-indexer", "chat.messages.globex", 3), values: "60000x20" },
        ],
        alert_rule_test: [
          {
            eval_time: "15m",
            alertname: "KafkaConsumerGroupLagHigh",
            exp_alerts: [
              expected(
                "KafkaConsumerGroupLagHigh",
                "warning",
                { ...cluster, consumergroup: "search-indexer" },
                summary,
                "Consumer group search-indexer of cluster chat-kafka in kafka is 120000 messages behind (threshold 10000).",
              ),
              expected(
                "KafkaConsumerGroupLagHigh",
                "critical",
                { ...cluster, consumergroup: "search-indexer" },
                summary,
                "Consumer group search-indexer of cluster chat-kafka in kafka is 120000 messages behind (threshold 100000).",
              ),
            ],
          },
        ],
      },
      {
        name: "-1 (no committed offset) neither adds nor subtracts lag",
        interval: "1m",
        input_series: [
          { series: lag("audit-service", "audit.log", 0), values: "10001x20" },
          { series: lag("audit-service", "audit.log", 1), values: "-1x20" },
          { series: lag("audit-service", "audit.log", 2), values: "-1x20" },
          { series: lag("analytics-service", "analytics.events", 0), values: "-1x20" },
        ],
        alert_rule_test: [
          {
            eval_time: "15m",
            alertname: "KafkaConsumerGroupLagHigh",
            exp_alerts: [
              expected(
                "KafkaConsumerGroupLagHigh",
                "warning",
                { ...cluster, consumergroup: "audit-service" },
                summary,
                "Consumer group audit-service of cluster chat-kafka in kafka is 10001 messages behind (threshold 10000).",
              ),
            ],
          },
        ],
      },
      {
        name: "small lag, and a huge lag of a group outside the catalog, stay silent",
        interval: "1m",
        input_series: [
          { series: lag("notification-service", "notifications.pending", 0), values: "900x20" },
          { series: lag("console-consumer-4711", "chat.events", 0), values: "500000x20" },
        ],
        alert_rule_test: [
          { eval_time: "15m", alertname: "KafkaConsumerGroupLagHigh", exp_alerts: [] },
        ],
      },
    ];
  })(),

  KafkaExporterDown: [
    {
      name: "Kafka Exporter not scraped",
      interval: "1m",
      input_series: [{ series: series("up", kafkaExporter), values: "0x10" }, ...allUp("up")],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "KafkaExporterDown",
          exp_alerts: [
            expected(
              "KafkaExporterDown",
              "warning",
              cluster,
              "Kafka Exporter is down: consumer lag is not monitored.",
              "The Kafka Exporter of cluster chat-kafka in kafka is not scraped; consumer-lag alerts cannot fire.",
            ),
          ],
        },
      ],
    },
    {
      name: "Kafka Exporter up",
      interval: "1m",
      input_series: [{ series: series("up", kafkaExporter), values: "1x10" }],
      alert_rule_test: [{ eval_time: "8m", alertname: "KafkaExporterDown", exp_alerts: [] }],
    },
  ],

  KafkaCertificateExpiringSoon: (() => {
    const cert = (type: string): string =>
      series("strimzi_certificate_expiration_timestamp_ms", {
        ...clusterOperator,
        cluster: "chat-kafka",
        resource_namespace: "kafka",
        type,
      });
    const labels = (type: string): Record<string, string> => ({
      cluster: "chat-kafka",
      resource_namespace: "kafka",
      type,
    });
    const summary = "A Strimzi-managed certificate expires soon.";
    const DAY_MS = 86_400_000;
    return [
      {
        name: "server certificate 20 days from expiry: warning",
        interval: "5m",
        input_series: [
          { series: cert("server"), values: `${20 * DAY_MS}x30` },
          { series: cert("client"), values: `${200 * DAY_MS}x30` },
        ],
        alert_rule_test: [
          {
            eval_time: "2h",
            alertname: "KafkaCertificateExpiringSoon",
            exp_alerts: [
              expected(
                "KafkaCertificateExpiringSoon",
                "warning",
                labels("server"),
                summary,
                "The server certificate of cluster chat-kafka in kafka expires in 19d 22h 0m 0s (threshold 30 days).",
              ),
            ],
          },
        ],
      },
      {
        name: "client certificate 5 days from expiry: warning and critical",
        interval: "5m",
        input_series: [{ series: cert("client"), values: `${5 * DAY_MS}x30` }],
        alert_rule_test: [
          {
            eval_time: "2h",
            alertname: "KafkaCertificateExpiringSoon",
            exp_alerts: [
              expected(
                "KafkaCertificateExpiringSoon",
                "warning",
                labels("client"),
                summary,
                "The client certificate of cluster chat-kafka in kafka expires in 4d 22h 0m 0s (threshold 30 days).",
              ),
              expected(
                "KafkaCertificateExpiringSoon",
                "critical",
                labels("client"),
                summary,
                "The client certificate of cluster chat-kafka in kafka expires in 4d 22h 0m 0s (threshold 7 days).",
              ),
            ],
          },
        ],
      },
      {
        name: "certificates 60 days from expiry, and another cluster's, stay silent",
        interval: "5m",
        input_series: [
          { series: cert("server"), values: `${60 * DAY_MS}x30` },
          {
            series: series("strimzi_certificate_expiration_timestamp_ms", {
              ...clusterOperator,
              cluster: "other-kafka",
              resource_namespace: "kafka",
              type: "server",
            }),
            values: `${2 * DAY_MS}x30`,
          },
        ],
        alert_rule_test: [
          { eval_time: "2h", alertname: "KafkaCertificateExpiringSoon", exp_alerts: [] },
        ],
      },
    ];
  })(),

  KafkaMirrorMaker2Down: [
    {
      name: "one of two workers down: warning",
      interval: "1m",
      input_series: [
        { series: series("up", mirrorMakerWorker(0)), values: "1x10" },
        { series: series("up", mirrorMakerWorker(1)), values: "0x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "KafkaMirrorMaker2Down",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2Down",
              "warning",
              { namespace: "kafka" },
              "MirrorMaker 2 runs with fewer workers than configured.",
              "Only 1 of 2 MirrorMaker 2 workers in kafka are up.",
            ),
          ],
        },
      ],
    },
    {
      name: "no worker at all: warning and critical",
      interval: "1m",
      input_series: [...allUp("up")],
      alert_rule_test: [
        {
          eval_time: "8m",
          alertname: "KafkaMirrorMaker2Down",
          exp_alerts: [
            expected(
              "KafkaMirrorMaker2Down",
              "warning",
              { namespace: "kafka" },
              "MirrorMaker 2 runs with fewer workers than configured.",
              "Only 0 of 2 MirrorMaker 2 workers in kafka are up.",
            ),
            expected(
              "KafkaMirrorMaker2Down",
              "critical",
              { namespace: "kafka" },
              "MirrorMaker 2 runs with fewer workers than configured.",
              "No MirrorMaker 2 worker in kafka is up: topics from the other region are not mirrored.",
            ),
          ],
        },
      ],
    },
    {
      name: "both workers up",
      interval: "1m",
      input_series: [
        { series: series("up", mirrorMakerWorker(0)), values: "1x10" },
        { series: series("up", mirrorMakerWorker(1)), values: "1x10" },
      ],
      alert_rule_test: [{ eval_time: "8m", alertname: "KafkaMirrorMaker2Down", exp_alerts: [] }],
    },
  ],

  KafkaOfflineLogDirectories: [
    {
      name: "a broker lost a log directory",
      interval: "1m",
      input_series: [
        {
          series: series("kafka_log_logmanager_offlinelogdirectorycount", broker(100)),
          values: "0x10",
        },
        {
          series: series("kafka_log_logmanager_offlinelogdirectorycount", broker(101)),
          values: "0 1x9",
        },
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: "KafkaOfflineLogDirectories",
          exp_alerts: [
            expected(
              "KafkaOfflineLogDirectories",
              "critical",
              { ...cluster, strimzi_io_pool_name: "brokers", pod: "chat-kafka-brokers-101" },
              "A Kafka broker has offline log directories.",
              "Broker chat-kafka-brokers-101 (pool brokers) of cluster chat-kafka has 1 offline log directories.",
            ),
          ],
        },
      ],
    },
    {
      name: "all log directories online",
      interval: "1m",
      input_series: BROKERS.map((id) => ({
        series: series("kafka_log_logmanager_offlinelogdirectorycount", broker(id)),
        values: "0x10",
      })),
      alert_rule_test: [
        { eval_time: "5m", alertname: "KafkaOfflineLogDirectories", exp_alerts: [] },
      ],
    },
  ],
};
