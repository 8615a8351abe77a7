package io.streamrec.kafka;

/**
 * A running Kafka cluster that a test talks to through its bootstrap address only, so the same
 * test runs against any broker.
 *
 * <p>To run an integration test against several brokers, write the tests once in an abstract class
 * with {@code protected abstract String bootstrapServers()} (as {@link KafkaRoundTripContract} does) and
 * add one short subclass per broker:
 * <ul>
 *   <li>in-process (default, no Docker): {@code @ExtendWith(EmbeddedKafkaExtension.class)} and a
 *       {@code @BeforeAll static void broker(KafkaTestBroker broker)} that keeps the address
 *       ({@link EmbeddedKafkaRoundTripTest});</li>
 *   <li>Testcontainers: {@code @Testcontainers(disabledWithoutDocker = true)} with a static
 *       {@code @Container KafkaContainer} ({@link TestcontainersKafkaRoundTripTest}); it skips without Docker.</li>
 * </ul>
 * Tests share the broker, so each test uses its own topic names (see {@link TestTopics#unique}).
 */
public interface KafkaTestBroker {
    /** {@code host:port[,host:port...]} of the cluster. */
    String bootstrapServers();
}
