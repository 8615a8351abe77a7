package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer started over a {@code model-updates} topic that already holds rows predicts with them from its first
 * event: the rows reach the user tasks through the global store's restoration at start-up, not only through records
 * published while it runs (the user tasks read parsed item rows and label sums that the global store's processor
 * fills, and Kafka Streams passes the restored records through that processor). With {@code global.store=rocksdb}
 * the same holds at a second start over the same state directory, where the store restores only what came after
 * its checkpoint and the rows it already holds must be replayed to the user tasks from disk.
 */
@Tag("integration")
class PublishedRowsRestoreTest {
    @Test
    void shouldPredictWithItemRowsAndLabelSumsPublishedBeforeTheStart(@TempDir Path state) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            TrainerConfig config = StreamHarness.config(kafka.bootstrapServers(), "restored-rows", state, 1, 1);
            publishFilmAndMean(config);
            assertFirstPrediction(config, "newbie");
        }
    }

    @Test
    void shouldPredictWithRowsTheOnDiskGlobalStoreHeldBeforeARestart(@TempDir Path state) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            TrainerConfig config = StreamHarness.config(kafka.bootstrapServers(), "restored-on-disk", state, 1, 1)
                    .with(TrainerConfig.GLOBAL_STORE, "rocksdb");
            publishFilmAndMean(config);
            // The first start copies the topic into the store on disk and records its offset there at the clean close;
            // it trains nothing, so the topic keeps the two records as they were.
            try (TrainerApp app = TrainerApp.start(config, new PrequentialTotals(), false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
            }
            // The second restores nothing before that offset: the film row and the mean reach its user task only
            // through the replay of what the store holds on disk.
            assertFirstPrediction(config, "newbie");
        }
    }

    /** Publishes an item row "film" (bias 0.5) and a label sum of mean 3 before any trainer starts. */
    private static void publishFilmAndMean(TrainerConfig config) throws Exception {
        String bootstrap = config.bootstrapServers();
        int width = config.hyperparameters().width();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            TopicAdmin.ensureTopics(admin, List.of(new NewTopic(Topics.MODEL_UPDATES, 1, (short) 1)));
        }
        float[] film = new float[width];
        film[0] = 0.5f;
        try (KafkaProducer<String, byte[]> p = StreamHarness.producer(bootstrap)) {
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.row(RowKind.ITEM, "film"),
                    ModelUpdates.row(RowKind.ITEM, "film", film, 0, width, 1, 0, 1L)));
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES, ModelKeys.MEAN_SNAPSHOT_KEY, ModelUpdates.mean(-1, 30, 10)));
            p.flush();
        }
    }

    /** Starts a trainer, sends one rating of "film" by a user it has never seen, and checks what it predicted. */
    private static void assertFirstPrediction(TrainerConfig config, String user) throws Exception {
        PrequentialTotals totals = new PrequentialTotals();
        try (TrainerApp app = TrainerApp.start(config, totals, false)) {
            assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
            try (KafkaProducer<String, byte[]> p = StreamHarness.producer(config.bootstrapServers())) {
                p.send(new ProducerRecord<>(
                        Topics.INTERACTIONS,
                        user,
                        ("{\"user\":\"" + user + "\",\"item\":\"film\",\"label\":5}")
                                .getBytes(StandardCharsets.UTF_8)));
                p.flush();
            }
            StreamHarness.await("the event trained", Duration.ofSeconds(60), () -> totals.events() >= 1);
        }
        // An unseen user on "film": mean 30 / 10 = 3 plus the item's bias 0.5; the user contributes nothing.
        // Without the restored rows the prediction would be 3 (the middle of 1..5), an error of 2.
        assertEquals(
                1.5, totals.rmse(), 1e-6, "prediction 3.5 = restored mean 3 + restored item bias 0.5 (" + user + ")");
    }
}
