package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.kafka.TopicReader;
import io.streamrec.stream.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamrec run} as operators stop it: a separate JVM that gets SIGTERM ({@link Process#destroy()}) after
 * training. It must close cleanly, exit 0 (not the JVM's 143), and end its stdout with the JSON summary.
 * The broker is this test's own, so the counts are exact.
 */
@Tag("integration")
class RunCommandSigtermTest {
    static final int EVENTS = 500;
    static final List<String> MALFORMED = List.of("{not json", "{\"user\":7.5,\"item\":\"i1\",\"label\":3}");

    @Test
    void shouldExitZeroAndPrintItsSummaryOnSigterm(@TempDir Path work) throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(200, 100, 8, 5)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            int width = StreamHarness.config(bootstrap, "x", work, 1, 16)
                    .hyperparameters()
                    .width();
            Path out = work.resolve("run.out");
            Path err = work.resolve("run.err");
            try (TrainerProcess app = TrainerProcess.start(
                    bootstrap, "sigterm", work.resolve("state"), out, err, "--partitions", "1", "--batch-size", "16")) {
                StreamHarness.produce(bootstrap, ratings);
                StreamHarness.produceRaw(bootstrap, "bad", MALFORMED);
                StreamHarness.awaitUserUpdates(bootstrap, width, EVENTS, Duration.ofSeconds(120));
                TopicReader.waitForRecords(
                        bootstrap, Topics.DLQ, all -> all.size() >= MALFORMED.size(), Duration.ofSeconds(60));
                assertTrue(app.isAlive(), "run is still running before the signal; stderr:\n" + Files.readString(err));

                long signalled = System.nanoTime();
                app.sigterm();
                assertTrue(app.waitFor(Duration.ofSeconds(60)), "run stops within a minute of SIGTERM");
                double stopSeconds = (System.nanoTime() - signalled) / 1e9;
                assertEquals(
                        0,
                        app.exitValue(),
                        "exit code after SIGTERM (stopped in " + stopSeconds + " s); stderr:\n"
                                + Files.readString(err));
            }
            JsonNode summary = summary(Files.readAllLines(out));
            assertNotNull(summary, "a JSON summary line on stdout:\n" + Files.readString(out));
            assertEquals("run", summary.get("command").asText());
            assertEquals(EVENTS, summary.get("events").asLong(), "events trained: " + summary);
            assertEquals(MALFORMED.size(), summary.get("rejected").asLong(), "events rejected: " + summary);
            assertTrue(summary.get("seconds").asDouble() > 0, summary.toString());
            assertEquals("SIGTERM", summary.get("stopped_by").asText(), summary.toString());
        }
    }

    /** The last summary line of {@code run} (log lines may share stdout under the test logging config). */
    private static JsonNode summary(List<String> lines) throws Exception {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{\"command\":\"run\"")) {
                return new ObjectMapper().readTree(lines.get(i));
            }
        }
        return null;
    }
}
