package io.streamrec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class BrokerProcessTest {
    @Test
    void shouldRunTheBrokerInAnotherJvmAndStopItOnClose() {
        Path dir;
        ProcessHandle child;
        try (BrokerProcess broker = new BrokerProcess()) {
            long started = System.nanoTime();
            broker.start();
            System.out.printf(
                    "BrokerProcess started in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            dir = broker.directory();
            child = ProcessHandle.of(broker.pid()).orElseThrow();
            assertNotEquals(ProcessHandle.current().pid(), broker.pid());
            assertTrue(broker.isAlive());

            String topic = "separate-jvm";
            TestTopics.create(broker.bootstrapServers(), TestTopics.topic(topic, 1, false));
            TestTopics.writeInTransaction(broker.bootstrapServers(), topic, List.of(Map.entry("k", "hello")), true);
            List<ConsumerRecord<byte[], byte[]>> records = TopicReader.waitForRecords(
                    broker.bootstrapServers(), topic, all -> !all.isEmpty(), Duration.ofSeconds(30));

            assertEquals(
                    List.of("hello"), records.stream().map(TestTopics::value).toList());
        }
        assertFalse(child.isAlive(), "broker JVM stopped");
        assertFalse(Files.exists(dir), "temp dir deleted on close: " + dir);
    }
}
