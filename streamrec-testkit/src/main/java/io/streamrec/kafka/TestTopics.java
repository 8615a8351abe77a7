package io.streamrec.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topic names and record helpers shared by the Kafka tests. */
public final class TestTopics {
    private TestTopics() {}

    /** A topic name no other test on a shared broker uses. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A topic of {@code partitions} partitions on a one-broker cluster, log-compacted or not. */
    public static NewTopic topic(String name, int partitions, boolean compacted) {
        NewTopic t = new NewTopic(name, partitions, (short) 1);
        return compacted ? t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)) : t;
    }

    /** Creates {@code topics} and waits (30 s at most) until the broker has them. */
    public static void create(String bootstrap, NewTopic... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(topics)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + List.of(topics), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create " + List.of(topics), e);
        }
    }

    /** Writes {@code records} (key to value, in order) in one transaction and commits it, or aborts it. */
    public static void writeInTransaction(
            String bootstrap, String topic, List<Map.Entry<String, String>> records, boolean commit) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (Map.Entry<String, String> record : records) {
                producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue()));
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    public static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    public static String value(ConsumerRecord<byte[], byte[]> record) {
        return record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }
}
