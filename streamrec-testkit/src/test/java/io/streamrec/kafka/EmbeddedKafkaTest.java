package io.streamrec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class EmbeddedKafkaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldRunTransactionsOnACompactedTopicAndDeleteItsLogDirOnClose() throws Exception {
        Path dir;
        try (EmbeddedKafka kafka = new EmbeddedKafka(Map.of("num.partitions", "3"))) {
            long started = System.nanoTime();
            kafka.start();
            System.out.printf(
                    "EmbeddedKafka started in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            dir = kafka.directory();
            assertTrue(Files.isDirectory(dir.resolve("log")), "log dir exists while running");
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());

            TestTopics.create(
                    kafka.bootstrapServers(),
                    TestTopics.topic("model-rows", 2, true),
                    new NewTopic("default-partitions", Optional.empty(), Optional.empty()));
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertEquals(
                        3,
                        admin.describeTopics(List.of("default-partitions"))
                                .allTopicNames()
                                .get()
                                .get("default-partitions")
                                .partitions()
                                .size(),
                        "num.partitions from the extra properties");
            }
            TestTopics.writeInTransaction(
                    kafka.bootstrapServers(),
                    "model-rows",
                    List.of(Map.entry("user:1", "v1"), Map.entry("item:9", "v1"), Map.entry("user:1", "v2")),
                    true);

            List<ConsumerRecord<byte[], byte[]>> records =
                    TopicReader.waitForRecords(kafka.bootstrapServers(), "model-rows", all -> all.size() >= 3, TIMEOUT);

            assertEquals(
                    List.of("item:9=v1", "user:1=v1", "user:1=v2"),
                    records.stream()
                            .map(r -> TestTopics.key(r) + "=" + TestTopics.value(r))
                            .sorted()
                            .toList());
        }
        assertFalse(Files.exists(dir), "temp dir deleted on close: " + dir);
    }

    @Test
    void shouldRefuseToStartTwiceAndTolerateASecondClose() {
        EmbeddedKafka kafka = new EmbeddedKafka();
        assertThrows(IllegalStateException.class, kafka::bootstrapServers, "not started yet");
        kafka.close();
        kafka.close();
    }
}
