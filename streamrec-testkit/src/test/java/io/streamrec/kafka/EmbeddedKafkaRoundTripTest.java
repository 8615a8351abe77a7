package io.streamrec.kafka;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The round trip against the shared in-process broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaRoundTripTest extends KafkaRoundTripContract {
    private static KafkaTestBroker broker;

    @BeforeAll
    static void broker(KafkaTestBroker shared) {
        broker = shared;
    }

    @Override
    protected String bootstrapServers() {
        return broker.bootstrapServers();
    }
}
