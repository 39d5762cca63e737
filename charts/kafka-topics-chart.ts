import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { KafkaTopic } from "./imports/kafka.strimzi.io.ts";
import { strimziLabels } from "./labels.ts";
import type { PlatformModel } from "./model.ts";

export const KAFKA_TOPICS_CHART = "kafka-topics";

/** Annotation naming the catalog entry a topic comes from (a template such as `chat.messages.{tenant}`). */
export const TOPIC_SOURCE_ANNOTATION = "kafka-platform.chat/catalog-entry";

/** One KafkaTopic per resolved catalog topic; the resource is named after the topic. */
export class KafkaTopicsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, KAFKA_TOPICS_CHART, { namespace: model.config.kubernetes.namespace });
    for (const topic of model.topics) {
      new KafkaTopic(this, `topic-${topic.name}`, {
        metadata: {
          name: topic.name,
          labels: {
            ...strimziLabels(model),
            "kafka-platform.chat/topic-family": topic.family,
          },
          annotations: { [TOPIC_SOURCE_ANNOTATION]: topic.source },
        },
        spec: {
          topicName: topic.name,
          partitions: topic.partitions,
          replicas: topic.replicationFactor,
          config: { ...topic.config },
        },
      });
    }
  }
}
