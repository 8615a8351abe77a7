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
 * fills, and Kafka Streams passes the restored records through that processor).
 */
@Tag("integration")
class PublishedRowsRestoreTest {
    @Test
    void shouldPredictWithItemRowsAndLabelSumsPublishedBeforeTheStart(@TempDir Path state) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            TrainerConfig config = StreamHarness.config(bootstrap, "restored-rows", state, 1, 1);
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

            PrequentialTotals totals = new PrequentialTotals();
            try (TrainerApp app = TrainerApp.start(config, totals, false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                try (KafkaProducer<String, byte[]> p = StreamHarness.producer(bootstrap)) {
                    p.send(new ProducerRecord<>(
                            Topics.INTERACTIONS,
                            "newbie",
                            "{\"user\":\"newbie\",\"item\":\"film\",\"label\":5}".getBytes(StandardCharsets.UTF_8)));
                    p.flush();
                }
                StreamHarness.await("the event trained", Duration.ofSeconds(60), () -> totals.events() >= 1);
            }
            // An unseen user on "film": mean 30 / 10 = 3 plus the item's bias 0.5; the user contributes nothing.
            // Without the restored rows the prediction would be 3 (the middle of 1..5), an error of 2.
            assertEquals(1.5, totals.rmse(), 1e-6, "prediction 3.5 = restored mean 3 + restored item bias 0.5");
        }
    }
}
