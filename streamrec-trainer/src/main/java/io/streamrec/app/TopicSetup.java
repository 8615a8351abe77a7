package io.streamrec.app;

import io.streamrec.kafka.TopicAdmin;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** What the trainer asks the cluster before it starts: the topics it needs, and whether this is a first start. */
final class TopicSetup {
    private TopicSetup() {}

    /** Creates the topics that are missing, with the configured partitions and replication. */
    static void createTopics(Admin admin, TrainerConfig config) {
        int p = config.partitions();
        short r = config.replicationFactor();
        NewTopic updates = new NewTopic(Topics.MODEL_UPDATES, p, r)
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                        "0"));
        List<NewTopic> topics = new java.util.ArrayList<>(List.of(
                new NewTopic(Topics.INTERACTIONS, p, r),
                new NewTopic(Topics.DLQ, p, r),
                updates,
                new NewTopic(Topics.TRAINING_METRICS, p, r),
                new NewTopic(Topics.USER_EVENTS, p, r),
                new NewTopic(Topics.ITEM_GRADIENTS, p, r)));
        if (config.hyperparameters().kind() == io.streamrec.model.ModelKind.FISM) {
            // Every instance reads all of it into a global store, so one partition serves any number of them.
            topics.add(new NewTopic(Topics.FISM_SEED, 1, r)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        if (config.neighbourhood()) {
            // Read by the one basis task, whose state is in its store: records are deleted once it has committed past
            // them (ResidualsPurge), not by age, so a task that was down for a while still finds what it missed.
            topics.add(new NewTopic(Topics.RESIDUALS, 1, r).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")));
            // Every instance reads the latest basis from it.
            topics.add(new NewTopic(Topics.RESIDUAL_BASES, 1, r)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        TopicAdmin.ensureTopics(admin, topics);
    }

    /**
     * The partition count of {@code topic} as it exists, which may differ from {@code topic.partitions} when the
     * topic was created beforehand: user ownership must follow the topic itself.
     */
    static int partitionCount(Admin admin, String topic) {
        // A topic created a moment ago may not be in the broker's metadata yet.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topic " + topic, e);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topic " + topic, e);
            }
        }
    }

    /** True when the application id has never committed an offset: its first start. */
    static boolean isFirstStart(Admin admin, String applicationId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            return offsets == null || offsets.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking consumer group " + applicationId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the offsets of consumer group " + applicationId + ": " + e.getMessage(), e);
        }
    }
}
