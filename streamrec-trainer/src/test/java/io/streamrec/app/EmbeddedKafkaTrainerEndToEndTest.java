package io.streamrec.app;

import io.streamrec.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The end-to-end run on its own in-process broker (the trainer's topic names are fixed, so no shared broker). */
class EmbeddedKafkaTrainerEndToEndTest extends TrainerEndToEndContract {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafka().start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Override
    protected String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
