package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction that stays open on a partition blocks its read_committed readers, as a hanging transaction left by
 * a broker crash does. Here a producer with a long transaction timeout opens one and never ends it (the coordinator
 * would abort it only after that timeout), on a real broker: the check must tell it from transactions that end,
 * report it without touching it, and with {@code abort} end it so that readers go on.
 */
@Tag("integration")
class HangingTransactionCheckTest {
    private static final long BOUND_MS = 5_000;

    @Test
    void shouldReportOnlyTheTransactionOpenLongerThanTheBoundAndAbortItWhenTold() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start();
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(admin, List.of(new NewTopic("written", 1, (short) 1)));
            TopicPartition tp = new TopicPartition("written", 0);
            AtomicLong clock = new AtomicLong();
            try (KafkaProducer<String, String> stray = transactional(bootstrap, "stray");
                    KafkaProducer<String, String> ending = transactional(bootstrap, "ending")) {
                stray.beginTransaction();
                stray.send(new ProducerRecord<>("written", "lost")).get();
                ending.beginTransaction();
                ending.send(new ProducerRecord<>("written", "committed")).get();

                HangingTransactionCheck report =
                        new HangingTransactionCheck(admin, bootstrap, () -> List.of(tp), BOUND_MS, false, clock::get);
                assertEquals(List.of(), report.check(), "both are open, neither for longer than the bound yet");
                ending.commitTransaction();
                // The coordinator writes the commit marker after commitTransaction returns.
                StreamHarness.await(
                        "the commit marker written", Duration.ofSeconds(30), () -> openTransactions(admin, tp) == 1);
                clock.addAndGet(BOUND_MS + 1);
                List<HangingTransactionCheck.Hanging> found = report.check();
                assertEquals(1, found.size(), "only the transaction still open: " + found);
                assertEquals(tp, found.get(0).open().partition());
                assertEquals(0, found.get(0).open().startOffset(), "the stray record opened it at offset 0");
                assertEquals(1, report.hanging());
                assertEquals(0, stableOffset(admin, tp), "reported, not aborted: readers still wait at offset 0");

                HangingTransactionCheck abort =
                        new HangingTransactionCheck(admin, bootstrap, () -> List.of(tp), BOUND_MS, true, clock::get);
                assertEquals(List.of(), abort.check(), "a new check has not seen it open long enough yet");
                clock.addAndGet(BOUND_MS + 1);
                assertEquals(1, abort.check().size());
                assertEquals(1, abort.aborted());
                long end = endOffset(admin, tp);
                assertEquals(end, stableOffset(admin, tp), "aborted: the last stable offset reaches the end");
                assertEquals(List.of("committed"), readCommitted(bootstrap, tp, end), "the stray record is dropped");
                clock.addAndGet(BOUND_MS + 1);
                assertEquals(List.of(), abort.check(), "nothing open any more");
                assertEquals(0, abort.hanging());
            }
        }
    }

    /** The trainer runs the check itself: a transaction left open on {@code user-events} is found and aborted. */
    @Test
    void shouldAbortATransactionLeftOpenOnUserEventsWhileTheTrainerRuns(@TempDir Path state) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start();
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            String bootstrap = kafka.bootstrapServers();
            TrainerConfig config = StreamHarness.config(
                    bootstrap,
                    "hanging",
                    state,
                    1,
                    Map.of(
                            TrainerConfig.HANGING_TRANSACTION_MS, "2000",
                            TrainerConfig.HANGING_TRANSACTION_ACTION, "abort"));
            TopicPartition tp = new TopicPartition(Topics.USER_EVENTS, 0);
            try (TrainerApp app = TrainerApp.start(config, new PrequentialTotals(), false);
                    KafkaProducer<String, String> stray = transactional(bootstrap, "stray-user-events")) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                stray.beginTransaction();
                stray.send(new ProducerRecord<>(Topics.USER_EVENTS, 0, "u", "never committed"))
                        .get();
                long end = endOffset(admin, tp);
                FunctionCounter aborted = app.metrics()
                        .registry()
                        .get("streamrec.hanging.transactions.aborted")
                        .functionCounter();
                Gauge hanging = app.metrics()
                        .registry()
                        .get("streamrec.hanging.transactions")
                        .gauge();
                StreamHarness.await("the trainer aborted it", Duration.ofSeconds(60), () -> aborted.count() >= 1);
                assertEquals(1, hanging.value(), "the check that aborted it counted one partition");
                assertTrue(
                        stableOffset(admin, tp) >= end,
                        "the readers of user-events-0 go on past the stray record at " + (end - 1));
            }
        }
    }

    private static KafkaProducer<String, String> transactional(String bootstrap, String id) {
        KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                        // Far longer than the test: the coordinator will not end it on its own meanwhile.
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000),
                new StringSerializer(),
                new StringSerializer());
        p.initTransactions();
        return p;
    }

    /** Transactions open on {@code tp}, as its leader describes its producers. */
    private static long openTransactions(Admin admin, TopicPartition tp) {
        try {
            return admin
                    .describeProducers(List.of(tp))
                    .partitionResult(tp)
                    .get(30, TimeUnit.SECONDS)
                    .activeProducers()
                    .stream()
                    .filter(p -> p.currentTransactionStartOffset().isPresent())
                    .count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long stableOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp)
                .get(30, TimeUnit.SECONDS)
                .offset();
    }

    private static long endOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(
                        Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .partitionResult(tp)
                .get(30, TimeUnit.SECONDS)
                .offset();
    }

    /** The values a read_committed reader sees in {@code tp} up to {@code end}. */
    private static List<String> readCommitted(String bootstrap, TopicPartition tp, long end) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new StringDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
