package io.streamrec.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class TopicAdminTest {
    private static KafkaTestBroker broker;
    private static Admin admin;

    @BeforeAll
    static void connect(KafkaTestBroker shared) {
        broker = shared;
        admin = TopicAdmin.admin(shared.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    @Test
    void shouldCreateOnlyMissingTopicsWhenCalledAgain() throws Exception {
        String first = TestTopics.unique("first");
        String second = TestTopics.unique("second");

        assertEquals(List.of(first), TopicAdmin.ensureTopics(admin, List.of(TopicAdmin.topic(first, 2, (short) 1))));
        assertEquals(
                List.of(second),
                TopicAdmin.ensureTopics(
                        admin, List.of(TopicAdmin.topic(first, 2, (short) 1), TopicAdmin.topic(second, 1, (short) 1))));
        assertEquals(
                List.of(),
                TopicAdmin.ensureTopics(
                        admin, List.of(TopicAdmin.topic(first, 5, (short) 1), TopicAdmin.topic(second, 1, (short) 1))));

        assertEquals(
                2,
                admin.describeTopics(List.of(first))
                        .allTopicNames()
                        .get()
                        .get(first)
                        .partitions()
                        .size(),
                "an existing topic is left as it was");
    }

    @Test
    void shouldSetCompactCleanupPolicyOnlyWhereAsked() throws Exception {
        String compacted = TestTopics.unique("compacted");
        String plain = TestTopics.unique("plain");

        TopicAdmin.ensureTopics(
                admin,
                List.of(TopicAdmin.compactedTopic(compacted, 1, (short) 1), TopicAdmin.topic(plain, 1, (short) 1)));

        // A topic created a moment ago may not be in the broker's metadata yet (UnknownTopicOrPartition): ask again.
        await("the new topics' cleanup policies")
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, cleanupPolicy(compacted));
                    assertEquals(TopicConfig.CLEANUP_POLICY_DELETE, cleanupPolicy(plain));
                });
    }

    @Test
    void shouldCountTransactionMarkersInEndOffsets() {
        String topic = TestTopics.unique("markers");
        TopicAdmin.ensureTopics(admin, List.of(TopicAdmin.topic(topic, 1, (short) 1)));

        TestTopics.writeInTransaction(
                broker.bootstrapServers(), topic, List.of(Map.entry("a", "1"), Map.entry("b", "2")), true);

        // commitTransaction returns before the marker is written; the end offset catches up a moment later.
        await("two records and one commit marker")
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(
                        3L,
                        TopicAdmin.endOffsets(admin, topic, TopicAdmin.DEFAULT_TIMEOUT)
                                .get(new TopicPartition(topic, 0))));
    }

    @Test
    void shouldRejectImpossibleTopicShapes() {
        assertThrows(IllegalArgumentException.class, () -> TopicAdmin.topic("t", 0, (short) 1));
        assertThrows(IllegalArgumentException.class, () -> TopicAdmin.topic("t", 1, (short) 0));
        assertThrows(IllegalArgumentException.class, () -> TopicAdmin.topic(" ", 1, (short) 1));
    }

    @Test
    void shouldReportAFailedCreationWithTheTopicName() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> TopicAdmin.ensureTopics(admin, List.of(new NewTopic("too-replicated", 1, (short) 3))));
        assertTrue(e.getMessage().contains("too-replicated"), e.getMessage());
    }

    private static String cleanupPolicy(String topic) throws InterruptedException, ExecutionException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<ConfigResource, Config> configs =
                admin.describeConfigs(List.of(resource)).all().get();
        return configs.get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    }
}
