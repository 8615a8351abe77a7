package io.streamrec.app;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The end-to-end run on Apache Kafka in a container; skipped when no Docker engine is reachable. */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersTrainerEndToEndTest extends TrainerEndToEndContract {
    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
