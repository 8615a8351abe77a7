package io.streamrec.app;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Records waiting on an input topic, as this instance's Kafka Streams main consumers last saw them: the sum over
 * the topic's assigned partitions of the consumer metric {@code consumer-fetch-manager-metrics / records-lag}
 * (tags {@code client-id}, {@code topic}, {@code partition}; the lag of the last fetch, end offset minus position).
 *
 * <p>Per-partition {@code records-lag} rather than the client's {@code records-lag-max}: the latter is a maximum
 * over a time window, so it stays above zero for up to a minute after the backlog is gone, and it mixes topics.
 * Restore and global consumers are left out (their client ids end in {@code -restore-consumer} and
 * {@code -global-consumer}); they read changelogs and {@code model-updates}, not input.
 *
 * <p>Limits: the metric exists only for assigned partitions that have been fetched at least once, so during an
 * assignment the lag reads 0; it is the value of the last fetch, so a consumer that stopped fetching keeps its last
 * value (a stuck instance with a backlog keeps showing it; one that had caught up keeps showing 0). A value that is
 * not a finite number (Kafka's NaN for "unknown") counts as 0.
 */
public final class InputLag {
    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String RECORDS_LAG = "records-lag";

    private InputLag() {}

    /** Records waiting on {@code topic} according to {@code metrics} (from {@code KafkaStreams.metrics()}). */
    public static long recordsWaiting(Map<MetricName, ? extends Metric> metrics, String topic) {
        // Kafka clients have tagged topic metrics with '.' replaced by '_' and are moving to the plain name; a
        // client may register both for the same partition, so keep one value per consumer and partition.
        String legacyTopic = topic.replace('.', '_');
        Map<String, Long> byConsumerPartition = new HashMap<>();
        metrics.forEach((name, metric) -> {
            if (!GROUP.equals(name.group()) || !RECORDS_LAG.equals(name.name())) {
                return;
            }
            Map<String, String> tags = name.tags();
            String t = tags.get("topic");
            String partition = tags.get("partition");
            String client = tags.getOrDefault("client-id", "");
            if (partition == null
                    || !(topic.equals(t) || legacyTopic.equals(t))
                    || client.endsWith("restore-consumer")
                    || client.endsWith("global-consumer")) {
                return;
            }
            Object v = metric.metricValue();
            long lag =
                    v instanceof Number n && Double.isFinite(n.doubleValue()) ? Math.max(0, (long) n.doubleValue()) : 0;
            byConsumerPartition.merge(client + "/" + partition, lag, Math::max);
        });
        long sum = 0;
        for (long lag : byConsumerPartition.values()) {
            sum += lag;
        }
        return sum;
    }
}
