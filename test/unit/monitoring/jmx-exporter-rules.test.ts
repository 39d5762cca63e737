import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  KAFKA_METRICS_CONFIGMAP_KEY,
  kafkaJmxExporterConfigYaml,
  kafkaMetricsConfigMapName,
} from "../../../charts/monitoring/index.ts";
import { kafkaJmxExporterConfig } from "../../../charts/monitoring/jmx-exporter-rules.ts";
import { emulateRule } from "./jmx-rule-emulator.ts";

const config = kafkaJmxExporterConfig();

// Expected names are the ones the alerts and dashboards are written against
// (the Strimzi example naming listed in the field notes), not derived from the rules.
const cases: [string, string, string, string, Record<string, string>][] = [
  [
    "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions",
    "Value",
    "3",
    "kafka_server_replicamanager_underreplicatedpartitions",
    {},
  ],
  [
    "kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount",
    "Value",
    "0",
    "kafka_server_replicamanager_underminisrpartitioncount",
    {},
  ],
  [
    "kafka.server:type=ReplicaManager,name=IsrShrinksPerSec",
    "Count",
    "12",
    "kafka_server_replicamanager_isrshrinks_total",
    {},
  ],
  [
    "kafka.controller:type=KafkaController,name=OfflinePartitionsCount",
    "Value",
    "0",
    "kafka_controller_kafkacontroller_offlinepartitionscount",
    {},
  ],
  [
    "kafka.controller:type=KafkaController,name=ActiveControllerCount",
    "Value",
    "1",
    "kafka_controller_kafkacontroller_activecontrollercount",
    {},
  ],
  [
    "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce",
    "99thPercentile",
    "4.5",
    "kafka_network_requestmetrics_totaltimems",
    { request: "Produce", quantile: "0.99" },
  ],
  [
    "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch",
    "999thPercentile",
    "501",
    "kafka_network_requestmetrics_totaltimems",
    { request: "Fetch", quantile: "0.999" },
  ],
  [
    "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch",
    "Count",
    "501",
    "kafka_network_requestmetrics_totaltimems_count",
    { request: "Fetch" },
  ],
  [
    "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,version=11",
    "Count",
    "9",
    "kafka_network_requestmetrics_requests_total",
    { request: "Produce", version: "11" },
  ],
  [
    "kafka.log:type=Log,name=Size,topic=chat.events,partition=4",
    "Value",
    "1024",
    "kafka_log_log_size",
    { topic: "chat.events", partition: "4" },
  ],
  [
    "kafka.log:type=LogManager,name=OfflineLogDirectoryCount",
    "Value",
    "0",
    "kafka_log_logmanager_offlinelogdirectorycount",
    {},
  ],
  [
    "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec",
    "Count",
    "10",
    "kafka_server_brokertopicmetrics_bytesin_total",
    {},
  ],
  [
    "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=audit.log",
    "Count",
    "10",
    "kafka_server_brokertopicmetrics_bytesout_total",
    { topic: "audit.log" },
  ],
  [
    "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=audit.log",
    "Count",
    "10",
    "kafka_server_brokertopicmetrics_messagesin_total",
    { topic: "audit.log" },
  ],
  [
    "kafka.server:type=raft-metrics",
    "current-epoch",
    "7",
    "kafka_server_raftmetrics_current_epoch",
    {},
  ],
  [
    "kafka.server:type=raft-metrics",
    "high-watermark",
    "170",
    "kafka_server_raftmetrics_high_watermark",
    {},
  ],
  [
    "kafka.server:type=raft-metrics",
    "current-state",
    "leader",
    "kafka_server_raftmetrics_current_state",
    { state: "leader" },
  ],
  [
    "kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent",
    "OneMinuteRate",
    "0.97",
    "kafka_server_kafkarequesthandlerpool_requesthandleravgidle_percent",
    {},
  ],
  [
    "kafka.server:type=socket-server-metrics,listener=SCRAM,networkProcessor=1",
    "connection-count",
    "4",
    "kafka_server_socketservermetrics_connection_count",
    { listener: "SCRAM", networkProcessor: "1" },
  ],
];

describe("JMX exporter rules", () => {
  it.each(cases)("%s %s -> %s", (bean, attr, value, name, labels) => {
    expect(emulateRule(config, bean, attr, value)).toEqual({ name, labels });
  });

  it("ignores attributes nobody reads (meter rates other than the idle percent)", () => {
    expect(
      emulateRule(
        config,
        "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec",
        "MeanRate",
        "1",
      ),
    ).toBeUndefined();
  });

  it("renders YAML the javaagent reads: lowercase names, no YAML aliases, every rule typed", () => {
    const yaml = kafkaJmxExporterConfigYaml();
    expect(yaml).not.toMatch(/[&*]a\d/);
    const parsed = parse(yaml) as { lowercaseOutputName: boolean; rules: { type: string }[] };
    expect(parsed.lowercaseOutputName).toBe(true);
    expect(parsed.rules.length).toBe(config.rules.length);
    for (const r of parsed.rules) expect(["GAUGE", "COUNTER", "UNTYPED"]).toContain(r.type);
  });

  it("names the ConfigMap after the cluster and keys it as the Kafka resource expects", () => {
    expect(kafkaMetricsConfigMapName("chat-kafka")).toBe("chat-kafka-kafka-metrics");
    expect(KAFKA_METRICS_CONFIGMAP_KEY).toBe("kafka-metrics-config.yml");
  });
});
