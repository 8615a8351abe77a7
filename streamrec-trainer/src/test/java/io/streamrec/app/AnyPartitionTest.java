package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ownership follows the user, not the record's partition or key. The input topic has 3 partitions while the
 * trainer's own topics have 2, and every event is written to an explicit partition, round robin, so that each
 * user's events are spread over all of them; keys are the user id, another string, or none. Per user, the
 * published row's {@code updates} must equal that user's events, and every row is published by one task only.
 */
@Tag("integration")
class AnyPartitionTest {
    static final int EVENTS = 6_000;

    @Test
    void shouldTrainEachUsersEventsExactlyOnceWhateverPartitionAndKeyTheyArriveWith(@TempDir Path work)
            throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(300, 200, 8, 5)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = io.streamrec.kafka.TopicAdmin.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(Topics.INTERACTIONS, 3, (short) 1)))
                        .all()
                        .get();
            }
            TrainerConfig config = StreamHarness.config(bootstrap, "any-partition", work, 2, 8);
            Map<String, Long> perUser = new TreeMap<>();
            try (TrainerApp app = TrainerApp.start(config, TrainerListener.NONE, false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "trainer running");
                try (KafkaProducer<String, byte[]> p = StreamHarness.producer(bootstrap)) {
                    for (int n = 0; n < ratings.size(); n++) {
                        Rating r = ratings.get(n);
                        String key = switch (n % 3) {
                            case 0 -> r.user();
                            case 1 -> "session-" + n;
                            default -> null;
                        };
                        p.send(new ProducerRecord<>(
                                Topics.INTERACTIONS,
                                n % 3 == 0 ? (n / 3) % 3 : n % 3,
                                key,
                                InteractionProducer.toJson(r)));
                        perUser.merge(r.user(), 1L, Long::sum);
                    }
                }
                int width = config.hyperparameters().width();
                Map<String, byte[]> model =
                        StreamHarness.awaitUserUpdates(bootstrap, width, EVENTS, Duration.ofSeconds(120));
                assertEquals(
                        perUser,
                        StreamHarness.publishedUserUpdates(model, width),
                        "per user: published updates = events");
                StreamHarness.assertNoRowWentBackwards(bootstrap, width);
            }
        }
    }
}
