package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness and liveness against a real broker. A paused Kafka Streams stays RUNNING and stops fetching, so its consumer's
 * {@code records-lag} keeps the last fetch's 0: only the committed offsets show the records that wait.
 */
@Tag("integration")
class TrainerAppReadinessTest {

    @Test
    void shouldNotBeReadyWhileRunningWithoutProgressAndRecordsWaitingAndReadyOnceItProcessesAgain(@TempDir Path state)
            throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(300, 100, 4, 3)).spliterator(), false)
                .limit(4_000)
                .toList();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String servers = kafka.bootstrapServers();
            TrainerConfig config = StreamHarness.config(servers, "ready-" + System.nanoTime(), state, 2, 16)
                    .with(TrainerConfig.READINESS_MAX_STALL_MS, "1000");
            try (TrainerApp app = TrainerApp.start(config, TrainerListener.NONE, true)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "Kafka Streams reached RUNNING");
                StreamHarness.produce(servers, ratings.subList(0, 2_000));
                StreamHarness.await(
                        "ready while training",
                        Duration.ofSeconds(30),
                        () -> app.readiness().ready()
                                && app.metrics().listener().eventsTrained() >= 2_000);
                assertEquals(200, status(app, "/health/ready"), "training, and the served model loaded");
                assertEquals(200, status(app, "/health/live"));

                app.streams().pause();
                StreamHarness.produce(servers, ratings.subList(2_000, 4_000));
                StreamHarness.await(
                        "not ready while paused with records waiting",
                        Duration.ofSeconds(30),
                        () -> !app.readiness().ready());
                Readiness stalled = app.readiness();
                assertEquals("RUNNING", stalled.state());
                assertTrue(
                        stalled.reason().matches("no progress for .* with \\d+ records waiting on interactions"),
                        stalled.reason());
                assertTrue(stalled.millisSinceProgress() > 1_000, String.valueOf(stalled.millisSinceProgress()));
                assertEquals(503, status(app, "/health/ready"), "the readiness probe fails");
                assertEquals(200, status(app, "/health/live"), "the liveness probe does not: a restart cures nothing");
                assertEquals(200, status(app, "/health"), "nor the old combined probe");

                app.streams().resume();
                StreamHarness.await(
                        "ready again once training resumes",
                        Duration.ofSeconds(30),
                        () -> app.readiness().ready());
                assertEquals(200, status(app, "/health/ready"));

                // Kafka Streams gone while the process lives on: that is for a restart to cure.
                app.streams().close(Duration.ofSeconds(30));
                assertEquals(503, status(app, "/health/live"), "NOT_RUNNING is not alive");
                StreamHarness.await(
                        "not ready once Kafka Streams stopped",
                        Duration.ofSeconds(10),
                        () -> !app.readiness().ready());
                assertEquals(503, status(app, "/health/ready"));
            }
        }
    }

    private static int status(TrainerApp app, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + app.http().port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
