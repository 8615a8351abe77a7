package io.streamrec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafkaExtension;
import io.streamrec.kafka.KafkaTestBroker;
import io.streamrec.kafka.TestTopics;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRecordCodec;
import io.streamrec.model.ModelRow;
import io.streamrec.model.RowChange;
import io.streamrec.model.RowKind;
import io.streamrec.model.ScoredItem;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ModelClient against a real in-process KRaft broker, with hand-made {@code model-updates} records. */
@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class ModelClientKafkaTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final double TOLERANCE = 1e-6;
    private static String bootstrap;

    @BeforeAll
    static void broker(KafkaTestBroker broker) {
        bootstrap = broker.bootstrapServers();
    }

    private static String createTopic() {
        String topic = "model-updates-" + UUID.randomUUID().toString().substring(0, 8);
        TestTopics.create(bootstrap, TestTopics.topic(topic, 3, true));
        return topic;
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "model-client-test-" + UUID.randomUUID());
        KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static ProducerRecord<String, byte[]> row(String topic, ModelRow row) {
        return new ProducerRecord<>(topic, row.key(), ModelRecordCodec.encodeRow(row));
    }

    private static ModelRow user(String id, float bias, long version, float... factors) {
        return new ModelRow(RowKind.USER, id, bias, factors, version, version, 1_000 + version, 0);
    }

    private static ModelRow item(String id, float bias, long version, float... factors) {
        return new ModelRow(RowKind.ITEM, id, bias, factors, version, version, 1_000 + version, 0);
    }

    private static void send(
            KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records, boolean commit) {
        producer.beginTransaction();
        records.forEach(producer::send);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        Awaitility.await(what)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    @Test
    void shouldLoadTheLatestRowsSkipMalformedOnesAndFollowLaterUpdates() throws Exception {
        String topic = createTopic();
        ModelMeta meta = new ModelMeta(ModelKind.BIASED_MF, 2, 3.5, 1_000, 1.0, 5.0, null, 500);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(
                    producer,
                    List.of(
                            new ProducerRecord<>(topic, "meta", ModelRecordCodec.encodeMeta(meta)),
                            row(topic, user("u1", 0.1f, 1, 0.1f, 0.1f)),
                            row(topic, item("a", 0.2f, 4, 1f, 0.5f)),
                            row(topic, item("b", -0.3f, 2, 0.5f, 0.5f)),
                            row(topic, item("gone", 0f, 9, 0f, 0f)),
                            new ProducerRecord<>(topic, "item:bad", "not json".getBytes(StandardCharsets.UTF_8)),
                            new ProducerRecord<>(
                                    topic,
                                    "item:x",
                                    "{\"kind\":\"user\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8))),
                    true);
            send(producer, List.of(row(topic, item("aborted", 9f, 100, 1f, 1f))), false);
            send(
                    producer,
                    List.of(
                            row(topic, user("u1", 0.25f, 3, 1f, -0.5f)), // overwrites u1 version 1
                            new ProducerRecord<>(topic, "item:gone", null)), // tombstone
                    true);
        }

        List<RowChange> changes = new CopyOnWriteArrayList<>();
        try (ModelClient client = new ModelClient(bootstrap, topic, Map.of())) {
            client.addListener(changes::add);
            client.start();
            assertTrue(client.awaitReady(READY_TIMEOUT), "ready, status " + client.status());

            assertEquals(ModelKind.BIASED_MF, client.meta().orElseThrow().model());
            assertEquals(1, client.userCount());
            assertEquals(2, client.itemCount());
            assertEquals(3 + 4 + 2, client.modelVersion());
            assertEquals(1_000 + 9, client.lastUpdate()); // the tombstoned row's updatedAt was seen
            assertEquals(2, client.malformedRecords());
            assertFalse(client.hasItem("aborted"));
            // 3.5 + 0.25 + 0.2 + (1*1 - 0.5*0.5) = 4.7
            assertEquals(4.7, client.predict("u1", "a").score(), TOLERANCE);
            assertEquals(
                    List.of("a", "b"),
                    client.recommend("u1", 5, java.util.Set.of()).stream()
                            .map(ScoredItem::item)
                            .toList());

            List<RowChange> u1 =
                    changes.stream().filter(c -> c.id().equals("u1")).toList();
            assertEquals(
                    List.of(
                            new RowChange(RowKind.USER, "u1", RowChange.ABSENT, 1),
                            new RowChange(RowKind.USER, "u1", 1, 3)),
                    u1);
            assertTrue(changes.contains(new RowChange(RowKind.ITEM, "gone", 9, RowChange.ABSENT)));

            try (KafkaProducer<String, byte[]> producer = producer()) {
                send(producer, List.of(row(topic, item("c", 1f, 5, 0f, 1f))), true);
            }
            await(() -> client.hasItem("c"), "item c produced after readiness");
            assertEquals(3 + 4 + 2 + 5, client.modelVersion());
            assertTrue(changes.contains(new RowChange(RowKind.ITEM, "c", RowChange.ABSENT, 5)));
            assertEquals(3.5 + 0.25 + 1 - 0.5, client.predict("u1", "c").score(), TOLERANCE);
        }
    }

    @Test
    void shouldBeReadyAtOnceOnAnEmptyTopic() throws Exception {
        String topic = createTopic();
        try (ModelClient client = new ModelClient(bootstrap, topic, Map.of()).start()) {
            assertTrue(client.awaitReady(READY_TIMEOUT));
            assertEquals(0, client.modelVersion());
            assertTrue(client.meta().isEmpty());
            // The build starts test JVMs with --add-modules jdk.incubator.vector, so top-k has its SIMD first stage.
            assertTrue(client.topKScan().startsWith("int8-vector-"), client.topKScan());
        }
    }

    @Test
    void shouldWaitForAMissingTopicWithoutBecomingReady() throws Exception {
        try (ModelClient client = new ModelClient(
                        bootstrap, "no-such-topic-" + UUID.randomUUID(), Map.of("allow.auto.create.topics", "false"))
                .start()) {
            assertFalse(client.awaitReady(Duration.ofSeconds(3)));
            assertEquals(ModelClient.Status.WAITING_FOR_TOPIC, client.status());
        }
    }

    @Test
    void shouldReportAnUnreachableBrokerAsConnecting() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (ModelClient client = new ModelClient("127.0.0.1:" + port, "model-updates", Map.of()).start()) {
            assertFalse(client.awaitReady(Duration.ofSeconds(3)));
            assertEquals(ModelClient.Status.CONNECTING, client.status());
        }
    }
}
