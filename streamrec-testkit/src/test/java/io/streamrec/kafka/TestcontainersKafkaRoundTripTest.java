package io.streamrec.kafka;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The round trip against Apache Kafka in a container. Skipped when no Docker engine is reachable
 * (as on the build machines); the in-process broker covers the same tests there.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaRoundTripTest extends KafkaRoundTripContract {
    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
