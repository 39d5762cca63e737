/**
 * Metric names the client reports, OpenTelemetry style (dot-separated, unit as the last word
 * where it has one). The client dashboard queries them; in Prometheus the dots become
 * underscores and counters gain `_total` (e.g. `kafka_client_produce_messages_total`).
 * Attributes on every metric: `service`, `topic`; consumer metrics also `group`.
 */
export const CLIENT_METRICS = {
  /** Counter: messages acknowledged by the brokers. */
  produceMessages: "kafka.client.produce.messages",
  /** Counter: bytes of acknowledged message values. */
  produceBytes: "kafka.client.produce.bytes",
  /** Histogram (ms): send until broker acknowledgement. */
  produceLatency: "kafka.client.produce.latency",
  /** Counter: sends that failed after the producer's own retries; attribute `error`. */
  produceErrors: "kafka.client.produce.errors",
  /** Counter: messages handled successfully and committed. */
  consumeMessages: "kafka.client.consume.messages",
  /** Histogram (ms): handler duration per message, retries included. */
  consumeLatency: "kafka.client.consume.latency",
  /** Histogram (ms): envelope timestamp until the handler finished (end to end). */
  endToEndLatency: "kafka.client.consume.end_to_end.latency",
  /** Counter: handler failures (each failed attempt); attribute `error`. */
  consumeErrors: "kafka.client.consume.errors",
  /** Counter: handler retries after a failure. */
  consumeRetries: "kafka.client.consume.retries",
  /** Counter: messages sent to the dead-letter topic; attribute `reason` (poison|exhausted). */
  deadLetters: "kafka.client.consume.dead_letters",
  /** Gauge: records between the committed offset and the end of each assigned partition. */
  consumerLag: "kafka.client.consume.lag",
  /** Counter: transactions committed / aborted. */
  transactionsCommitted: "kafka.client.transactions.committed",
  transactionsAborted: "kafka.client.transactions.aborted",
} as const;

export type ClientMetricName = (typeof CLIENT_METRICS)[keyof typeof CLIENT_METRICS];

export type MetricAttributes = Readonly<Record<string, string | number>>;

/**
 * Where the client reports. Wire it to an OpenTelemetry Meter (counter.add / histogram.record
 * / observable gauge) or anything else; the default does nothing.
 */
export interface MetricsSink {
  count(name: ClientMetricName, value: number, attributes: MetricAttributes): void;
  record(name: ClientMetricName, value: number, attributes: MetricAttributes): void;
  gauge(name: ClientMetricName, value: number, attributes: MetricAttributes): void;
}
