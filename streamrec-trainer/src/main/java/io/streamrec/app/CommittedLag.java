package io.streamrec.app;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Records waiting on this instance's input partitions as the brokers see them now: the last stable offset of each
 * input partition this instance owns, minus the offset its consumer group committed there. It complements
 * {@link InputLag}, whose consumer metric is the lag of the last fetch and goes stale exactly when an instance
 * stops polling (blocked in a commit, paused, its buffers full): a stuck instance that had caught up keeps reading 0
 * there, while its committed offset stays put here as records arrive.
 *
 * <p>Two broker requests per call; {@link ProgressWatchdog} asks only once the instance has made no progress for
 * the stall time. A partition without a committed offset counts from its earliest offset.
 */
final class CommittedLag {
    private static final long TIMEOUT_MS = 5_000;

    private final Admin admin;
    private final String groupId;
    private final Supplier<Set<TopicPartition>> owned;

    /**
     * @param admin   an admin client of the cluster
     * @param groupId the Kafka Streams application id
     * @param owned   the input partitions this instance's active tasks own now
     */
    CommittedLag(Admin admin, String groupId, Supplier<Set<TopicPartition>> owned) {
        this.admin = admin;
        this.groupId = groupId;
        this.owned = owned;
    }

    /** Records between the committed offsets and the end of the owned partitions; throws when the brokers do not answer. */
    long recordsWaiting() {
        Set<TopicPartition> partitions = owned.get();
        if (partitions.isEmpty()) {
            return 0;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
                    .partitionsToOffsetAndMetadata(groupId)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> from = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                if (c != null) {
                    from.put(tp, c.offset());
                }
            }
            if (from.size() < partitions.size()) {
                Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
                partitions.stream()
                        .filter(tp -> !from.containsKey(tp))
                        .forEach(tp -> missing.put(tp, OffsetSpec.earliest()));
                from.putAll(offsets(missing.keySet(), OffsetSpec.earliest()));
            }
            long sum = 0;
            for (TopicPartition tp : partitions) {
                sum += Math.max(0, end.getOrDefault(tp, 0L) - from.getOrDefault(tp, 0L));
            }
            return sum;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading offsets of " + partitions, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read offsets of " + partitions + ": " + e, e);
        }
    }

    private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info = admin.listOffsets(
                        request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> result = new HashMap<>();
        info.forEach((tp, i) -> result.put(tp, i.offset()));
        return result;
    }
}
