package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The producer settings {@link InteractionProducer} fills in, and what it leaves to the caller. */
class InteractionProducerTest {
    @Test
    void shouldBoundTheWaitsByDefault() {
        Map<String, Object> s = InteractionProducer.settings(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "k:9092"));
        assertEquals(InteractionProducer.MAX_BLOCK_MS, s.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals(InteractionProducer.DELIVERY_TIMEOUT_MS, s.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals("all", s.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(
                "29995",
                s.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG),
                "Kafka's 30000 ms request timeout + 5 ms linger would not fit the 30000 ms delivery timeout");
    }

    @Test
    void shouldLeaveKafkasRequestTimeoutWhenTheDeliveryTimeoutAllowsIt() {
        Map<String, Object> s =
                InteractionProducer.settings(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000"));
        assertFalse(s.containsKey(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), s.toString());
    }

    @Test
    void shouldShrinkTheRequestTimeoutToFitAShortDeliveryTimeout() {
        Map<String, Object> s = InteractionProducer.settings(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "2000"));
        assertEquals("1995", s.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), "delivery timeout - linger.ms");
    }

    @Test
    void shouldKeepEverySettingTheCallerGave() {
        Map<String, String> given = Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                "2000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "40000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                "5",
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.LINGER_MS_CONFIG,
                "0");
        assertEquals(given, InteractionProducer.settings(given));
    }
}
