package io.streamrec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class TopicReaderTest {
    private static KafkaTestBroker broker;

    @BeforeAll
    static void broker(KafkaTestBroker shared) {
        broker = shared;
    }

    @Test
    void shouldSayWhichTopicIsMissingWhenItNeverAppears() {
        TimeoutException e = assertThrows(
                TimeoutException.class,
                () -> TopicReader.readAll(broker.bootstrapServers(), "no-such-topic", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("no-such-topic"), e.getMessage());
    }

    @Test
    void shouldReturnNothingForAnEmptyTopic() {
        String topic = TestTopics.unique("empty");
        TestTopics.create(broker.bootstrapServers(), TestTopics.topic(topic, 3, false));
        assertEquals(List.of(), TopicReader.readAll(broker.bootstrapServers(), topic, Duration.ofSeconds(10)));
    }

    @Test
    void shouldTimeOutWhenTheEndOffsetsCannotBeLearnedInTime() {
        String topic = TestTopics.unique("no-time");
        TestTopics.create(broker.bootstrapServers(), TestTopics.topic(topic, 2, false));
        try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
            reader.readToEnd(Duration.ofSeconds(10));

            // No time left: the end offsets come back incomplete, which is a timeout like any other.
            assertThrows(TimeoutException.class, () -> reader.readToEnd(Duration.ZERO));
        }
    }

    @Test
    void shouldReportHowManyRecordsItSawWhenTheConditionFails() {
        String topic = TestTopics.unique("short");
        TestTopics.create(broker.bootstrapServers(), TestTopics.topic(topic, 1, false));
        TestTopics.writeInTransaction(broker.bootstrapServers(), topic, List.of(Map.entry("k", "v")), true);
        TopicReader.waitForRecords(broker.bootstrapServers(), topic, all -> all.size() == 1, Duration.ofSeconds(10));

        TimeoutException e = assertThrows(
                TimeoutException.class,
                () -> TopicReader.waitForRecords(
                        broker.bootstrapServers(), topic, all -> all.size() >= 2, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("after reading 1 records"), e.getMessage());
    }
}
