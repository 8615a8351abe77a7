package io.streamrec.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic from the beginning, read_committed, until it has caught up with the end offsets,
 * for tests and the {@code demo} command.
 *
 * <p>"Caught up" means: for every partition, the consumer position has reached the end offset taken
 * when the read began. Counting records would be wrong under exactly-once, where transaction markers
 * occupy offsets too (and aborted records are skipped). No consumer group is used: partitions are
 * assigned directly and nothing is committed.
 *
 * <p>Mind that {@code commitTransaction()} returns before the commit markers are written: for a moment
 * after it, a read_committed reader does not see the transaction yet, and {@link #readAll} may return
 * without it. When you know what to expect, use {@link #waitForRecords} with a predicate instead.
 *
 * <pre>{@code
 * List<ConsumerRecord<byte[], byte[]>> rows = TopicReader.waitForRecords(bootstrap, "model-updates",
 *         records -> records.size() >= 100, Duration.ofSeconds(30));
 * }</pre>
 */
public final class TopicReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private List<TopicPartition> partitions = List.of();

    /** A reader positioned at the beginning of every partition of {@code topic}. */
    public TopicReader(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamrec-topic-reader-" + topic);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
    }

    /**
     * Reads everything committed to {@code topic} from the beginning up to the current end offsets.
     *
     * @throws TimeoutException if the topic does not exist or the read does not catch up within {@code timeout}
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(
            String bootstrapServers, String topic, Duration timeout) {
        try (TopicReader reader = new TopicReader(bootstrapServers, topic)) {
            return reader.readToEnd(timeout);
        }
    }

    /**
     * Reads {@code topic} from the beginning, following new records, until {@code until} holds for all
     * records read so far; returns them.
     *
     * @throws TimeoutException if {@code until} does not hold within {@code timeout}
     */
    public static List<ConsumerRecord<byte[], byte[]>> waitForRecords(
            String bootstrapServers,
            String topic,
            Predicate<? super List<ConsumerRecord<byte[], byte[]>>> until,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (TopicReader reader = new TopicReader(bootstrapServers, topic)) {
            while (true) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                int before = all.size();
                try {
                    if (!left.isNegative()) {
                        reader.readToEnd(left, all::add);
                    }
                } catch (TimeoutException e) {
                    // checked below: the deadline has passed
                }
                if (until.test(Collections.unmodifiableList(all))) {
                    return all;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new TimeoutException("topic " + topic + ": condition not met within " + timeout.toMillis()
                            + " ms after reading " + all.size() + " records");
                }
                if (all.size() == before) {
                    SingleNodeKRaft.sleep(50);
                }
            }
        }
    }

    /**
     * Reads from the current position until every partition's position reaches its end offset as of this call
     * (the last stable offset, since the reader is read_committed); returns the records read.
     *
     * @throws TimeoutException if the topic does not appear or the reader does not catch up within {@code timeout}
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        readToEnd(timeout, records::add);
        return records;
    }

    /** As {@link #readToEnd(Duration)}, handing each record to {@code sink} as it arrives (none is lost on timeout). */
    public void readToEnd(Duration timeout, Consumer<? super ConsumerRecord<byte[], byte[]>> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (partitions.isEmpty()) {
            assignAll(deadline);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
        if (!end.keySet().containsAll(partitions)) {
            // With the deadline reached the consumer answers at once, with the offsets it had: none, or some.
            throw new TimeoutException("topic " + topic + ": end offsets of " + partitions + " not known within "
                    + timeout.toMillis() + " ms (got " + end + ")");
        }
        while (!caughtUp(end)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("topic " + topic + ": not caught up with end offsets " + end + " within "
                        + timeout.toMillis() + " ms");
            }
            consumer.poll(min(POLL, remaining(deadline))).forEach(sink);
        }
    }

    /** The partitions this reader follows (empty until the first read found the topic). */
    public List<TopicPartition> partitions() {
        return partitions;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    private void assignAll(long deadline) {
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, remaining(deadline));
            } catch (UnknownTopicOrPartitionException | TimeoutException e) {
                infos = List.of();
            }
            if (infos != null && !infos.isEmpty()) {
                partitions = infos.stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("topic " + topic + " does not exist (waited for it to appear)");
            }
            SingleNodeKRaft.sleep(100);
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.get(partition)) {
                return false;
            }
        }
        return true;
    }

    private static Duration remaining(long deadline) {
        long nanos = deadline - System.nanoTime();
        return nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
