package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.kafka.TopicReader;
import io.streamrec.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across a crash: the trainer runs as a separate JVM ({@code streamrec run}), is killed with SIGKILL
 * in the middle of the stream, and restarts with an empty state dir, so its stores come back from the changelogs.
 * The published user rows must include every valid event exactly once, and the dead-letter topic every malformed one.
 */
@Tag("integration")
class KillNineExactlyOnceTest {
    static final int EVENTS = 20_000;
    static final int MALFORMED_EVERY = 1_000;

    @Test
    void shouldCountEveryEventExactlyOnceAfterKillNineAndRestoreFromChangelogs(@TempDir Path work) throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(2_000, 500, 8, 11)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            int width = StreamHarness.config(bootstrap, "x", work, 2, 16)
                    .hyperparameters()
                    .width();
            TrainerProcess first = startApp(bootstrap, work.resolve("state-1"), work.resolve("app-1.log"));
            int malformed = 0;
            Thread producer;
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < EVENTS / MALFORMED_EVERY; i++) {
                bad.add(i % 2 == 0 ? "{not json" : "{\"user\":\"u1\",\"item\":\"i1\",\"label\":9}");
            }
            malformed = bad.size();
            // Produce at a bounded rate so that the kill lands mid-stream, with malformed events among the valid ones.
            producer = new Thread(
                    () -> {
                        try (KafkaProducer<String, byte[]> p = StreamHarness.producer(bootstrap)) {
                            long start = System.nanoTime();
                            for (int n = 0; n < EVENTS; n++) {
                                Rating r = ratings.get(n);
                                p.send(new ProducerRecord<>(
                                        Topics.INTERACTIONS, r.user(), io.streamrec.app.InteractionProducer.toJson(r)));
                                if (n % MALFORMED_EVERY == 0) {
                                    p.send(new ProducerRecord<>(
                                            Topics.INTERACTIONS,
                                            "bad",
                                            bad.get(n / MALFORMED_EVERY).getBytes(StandardCharsets.UTF_8)));
                                }
                                long due = start + TimeUnit.MILLISECONDS.toNanos(n / 4); // 4,000 events/s
                                while (System.nanoTime() < due) {
                                    Thread.onSpinWait();
                                }
                            }
                            p.flush();
                        }
                    },
                    "test-producer");
            try {
                producer.start();
                StreamHarness.await(
                        "a quarter of the stream trained",
                        Duration.ofSeconds(90),
                        () -> StreamHarness.userUpdates(StreamHarness.latestModel(bootstrap), width) >= EVENTS / 4);
            } finally {
                first.killNine();
            }
            long atKill = StreamHarness.userUpdates(StreamHarness.latestModel(bootstrap), width);
            assertTrue(atKill < EVENTS, "killed mid-stream: " + atKill + " of " + EVENTS + " published");

            TrainerProcess second = startApp(bootstrap, work.resolve("state-2"), work.resolve("app-2.log"));
            try {
                producer.join();
                var model = StreamHarness.awaitUserUpdates(bootstrap, width, EVENTS, Duration.ofSeconds(120));
                assertEquals(
                        EVENTS,
                        StreamHarness.userUpdates(model, width),
                        "user rows include every valid event exactly once (killed at " + atKill + ")");
                var dlq = TopicReader.waitForRecords(
                        bootstrap, Topics.DLQ, all -> all.size() >= bad.size(), Duration.ofSeconds(60));
                assertEquals(
                        bad,
                        dlq.stream()
                                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                                .toList(),
                        "the dead-letter topic holds each malformed event once, in order");
            } finally {
                second.close();
            }
            assertTrue(malformed > 0);
        }
    }

    private static TrainerProcess startApp(String bootstrap, Path state, Path log) throws Exception {
        return TrainerProcess.start(bootstrap, "kill-nine", state, log, "--partitions", "2", "--batch-size", "16");
    }
}
