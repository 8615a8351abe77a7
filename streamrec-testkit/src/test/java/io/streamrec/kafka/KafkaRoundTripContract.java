package io.streamrec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The produce/consume round trip every broker must pass; subclasses say which broker
 * ({@link KafkaTestBroker} explains the pattern).
 */
@Tag("integration")
abstract class KafkaRoundTripContract {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The broker under test. */
    protected abstract String bootstrapServers();

    @Test
    void shouldReadBackCommittedRecordsAndSkipAbortedOnes() {
        String topic = TestTopics.unique("round-trip");
        TestTopics.create(bootstrapServers(), TestTopics.topic(topic, 1, false));
        TestTopics.writeInTransaction(
                bootstrapServers(), topic, List.of(Map.entry("u1", "a"), Map.entry("u2", "b")), true);
        TestTopics.writeInTransaction(bootstrapServers(), topic, List.of(Map.entry("u3", "aborted")), false);
        TestTopics.writeInTransaction(bootstrapServers(), topic, List.of(Map.entry("u1", "c")), true);

        // One partition: once "c" is visible the reader has passed the aborted record too.
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.waitForRecords(
                bootstrapServers(), topic, all -> all.stream().anyMatch(r -> "c".equals(TestTopics.value(r))), TIMEOUT);

        assertEquals(
                List.of("a", "b", "c"), records.stream().map(TestTopics::value).toList());
    }

    @Test
    void shouldWaitForRecordsThatArriveLater() throws InterruptedException {
        String topic = TestTopics.unique("later");
        Thread writer = new Thread(() -> {
            TestTopics.create(bootstrapServers(), TestTopics.topic(topic, 1, false));
            for (int i = 0; i < 3; i++) {
                TestTopics.writeInTransaction(bootstrapServers(), topic, List.of(Map.entry("k" + i, "v" + i)), true);
            }
        });
        writer.start();

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.waitForRecords(bootstrapServers(), topic, all -> all.size() >= 3, TIMEOUT);
        writer.join();

        assertEquals(
                List.of("v0", "v1", "v2"),
                records.stream().map(TestTopics::value).toList());
    }
}
