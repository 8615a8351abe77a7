package io.streamrec.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds and aborts hanging transactions, as an operator does with {@code kafka-transactions.sh find-hanging} and
 * {@code abort} (KIP-664): a transaction still open on a partition long after every transaction timeout. A broker
 * killed with SIGKILL can leave one behind when a producer's write reached the partition but the coordinator never
 * recorded the partition in the transaction, so no abort marker is ever written; the partition's last stable offset
 * then stops, and read_committed readers (the trainer's own tasks) wait forever.
 */
final class HangingTransactions {
    private HangingTransactions() {}

    /** Aborts every transaction open for longer than {@code age} on any non-internal topic; returns what it aborted. */
    static List<String> abortOlderThan(String bootstrap, Duration age) throws Exception {
        List<String> aborted = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            List<TopicPartition> partitions = new ArrayList<>();
            described.forEach((name, d) ->
                    d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
            var producers = admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS);
            long cutoff = System.currentTimeMillis() - age.toMillis();
            for (var e : producers.entrySet()) {
                for (ProducerState s : e.getValue().activeProducers()) {
                    if (s.currentTransactionStartOffset().isPresent() && s.lastTimestamp() < cutoff) {
                        admin.abortTransaction(new AbortTransactionSpec(
                                        e.getKey(),
                                        s.producerId(),
                                        (short) s.producerEpoch(),
                                        s.coordinatorEpoch().orElse(-1)))
                                .all()
                                .get(30, TimeUnit.SECONDS);
                        aborted.add(e.getKey() + " producer " + s.producerId() + " from offset "
                                + s.currentTransactionStartOffset().getAsLong());
                    }
                }
            }
        }
        return aborted;
    }
}
