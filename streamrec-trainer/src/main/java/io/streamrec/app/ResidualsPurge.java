package io.streamrec.app;

import io.streamrec.stream.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Deletes the records of {@code residuals} that the basis task has committed past, as Kafka Streams purges its own
 * repartition topics: the task's learner is in its changelogged store, so nothing reads them again. Without it the
 * topic would grow by every trained event's residual for as long as the application runs. Run by the instance
 * that owns the task, every {@code repartition.purge.interval.ms}.
 */
final class ResidualsPurge {
    private static final long TIMEOUT_MS = 10_000;
    private static final TopicPartition RESIDUALS = new TopicPartition(Topics.RESIDUALS, 0);

    private final Admin admin;
    private final String groupId;

    /**
     * @param admin   an admin client of the cluster
     * @param groupId the Kafka Streams application id
     */
    ResidualsPurge(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /**
     * Deletes the records before the application's committed offset on {@code residuals}.
     *
     * @return that offset, or -1 when the application has committed none there yet
     */
    long purge() throws InterruptedException {
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(
                            Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(RESIDUALS))))
                    .partitionsToOffsetAndMetadata(groupId)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(RESIDUALS);
            if (committed == null) {
                return -1;
            }
            admin.deleteRecords(Map.of(RESIDUALS, RecordsToDelete.beforeOffset(committed.offset())))
                    .all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return committed.offset();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot purge " + RESIDUALS + ": " + e.getMessage(), e);
        }
    }
}
