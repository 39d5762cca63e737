import { TOPIC_MIN_INSYNC_REPLICAS, TOPIC_REPLICATION_FACTOR } from "../topics/policy.ts";

/**
 * Broker settings that make "zero message loss" hold for the internal topics and for any
 * topic created without explicit settings: replication 3, two in-sync replicas for acks=all,
 * no automatic topic creation (the catalog decides every topic) and no unclean election.
 * No `replica.selector.class`: follower fetching (KIP-392) needs clients that send
 * `client.rack`, and the client module does not; the rack-aware selector would do nothing.
 */
export function brokerConfig(): Record<string, string | number | boolean> {
  return {
    "auto.create.topics.enable": false,
    "default.replication.factor": TOPIC_REPLICATION_FACTOR,
    "min.insync.replicas": TOPIC_MIN_INSYNC_REPLICAS,
    "offsets.topic.replication.factor": TOPIC_REPLICATION_FACTOR,
    "transaction.state.log.min.isr": TOPIC_MIN_INSYNC_REPLICAS,
    "transaction.state.log.replication.factor": TOPIC_REPLICATION_FACTOR,
    "unclean.leader.election.enable": false,
  };
}
