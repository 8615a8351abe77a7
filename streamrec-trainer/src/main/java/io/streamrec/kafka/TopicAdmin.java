package io.streamrec.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Topic creation that can run on every start: {@link #ensureTopics} creates what is missing and
 * leaves existing topics alone (it does not alter partitions or configs of a topic that exists).
 * Knows no topic names; {@code io.streamrec.stream.Topics} decides those.
 */
public final class TopicAdmin {
    /** How long {@link #ensureTopics} waits for the broker. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private TopicAdmin() {}

    /** An Admin client for {@code bootstrapServers}; the caller closes it. */
    public static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** A topic with the broker's default cleanup policy ({@code delete}). */
    public static NewTopic topic(String name, int partitions, short replicationFactor) {
        return new NewTopic(requireName(name), requirePartitions(partitions), requireReplication(replicationFactor));
    }

    /** A log-compacted topic ({@code cleanup.policy=compact}): the latest value per key is kept. */
    public static NewTopic compactedTopic(String name, int partitions, short replicationFactor) {
        return topic(name, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** {@link #ensureTopics(Admin, List, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static List<String> ensureTopics(Admin admin, List<NewTopic> topics) {
        return ensureTopics(admin, topics, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the topics that do not exist yet; a topic that exists (or that another client creates
     * concurrently) is not an error.
     *
     * @return names of the topics this call created
     * @throws IllegalStateException if a creation fails for another reason or the broker does not answer in time
     */
    public static List<String> ensureTopics(Admin admin, List<NewTopic> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> created = new ArrayList<>();
        for (NewTopic topic : topics) {
            try {
                results.get(topic.name()).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "cannot create topic " + topic.name() + ": " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "creating topic " + topic.name() + " took longer than " + timeout.toMillis() + " ms", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
            }
        }
        return List.copyOf(created);
    }

    /**
     * The read_committed end offset (last stable offset) of every partition of {@code topic}: the position a
     * read_committed consumer reaches when it has read everything committed. Under exactly-once it counts
     * transaction markers too, so it is not a record count.
     */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, Duration timeout) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic);
            Map<TopicPartition, OffsetSpec> request = description.partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> offsets = admin.listOffsets(
                            request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return offsets.entrySet().stream()
                    .collect(Collectors.toUnmodifiableMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read end offsets of " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "reading end offsets of " + topic + " took longer than " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets of " + topic, e);
        }
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must be non-blank, got '" + name + "'");
        }
        return name;
    }

    private static int requirePartitions(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        return partitions;
    }

    private static short requireReplication(short replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1, got " + replicationFactor);
        }
        return replicationFactor;
    }
}
