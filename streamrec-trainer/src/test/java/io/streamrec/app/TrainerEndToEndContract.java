package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.TopicReader;
import io.streamrec.model.ModelKeys;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short train-and-publish run every broker must pass; subclasses say which broker (the pattern of
 * {@code io.streamrec.kafka.KafkaRoundTripContract}). Each broker is used by this test alone: topic names are fixed.
 */
@Tag("integration")
abstract class TrainerEndToEndContract {
    static final int EVENTS = 3_000;

    protected abstract String bootstrapServers();

    @Test
    void shouldTrainEventsAndPublishUserItemAndMeanRows(@TempDir Path state) throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(300, 100, 4, 3)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        TrainerConfig config = StreamHarness.config(bootstrapServers(), "e2e-" + System.nanoTime(), state, 2, 16);
        int width = config.hyperparameters().width();
        PrequentialTotals totals = new PrequentialTotals();
        try (TrainerApp app = TrainerApp.start(config, totals, false)) {
            StreamHarness.produce(bootstrapServers(), ratings);
            StreamHarness.produceRaw(bootstrapServers(), "bad", List.of("not json"));
            StreamHarness.await("all events trained", Duration.ofSeconds(60), () -> totals.events() >= EVENTS);
            // Item rows are published by the item tasks' own flush, a commit or more after the user rows: wait for
            // both.
            Map<String, byte[]> model = StreamHarness.awaitModel(
                    bootstrapServers(),
                    Duration.ofSeconds(60),
                    m -> StreamHarness.userUpdates(m, width) >= EVENTS
                            && m.keySet().stream().anyMatch(k -> k.startsWith("item:"))
                            && m.containsKey(ModelKeys.mean(0))
                            && m.containsKey(ModelKeys.META));
            assertEquals(EVENTS, StreamHarness.userUpdates(model, width), "published user rows include every event");
            assertTrue(model.keySet().stream().anyMatch(k -> k.startsWith("item:")), "item rows published");
            assertTrue(
                    model.containsKey(ModelKeys.mean(0)) && model.containsKey(ModelKeys.META),
                    model.keySet().toString());
            assertEquals(
                    1,
                    TopicReader.waitForRecords(
                                    bootstrapServers(), Topics.DLQ, all -> !all.isEmpty(), Duration.ofSeconds(30))
                            .size(),
                    "the malformed event went to the dead-letter topic");
            assertTrue(totals.rmse() < 1.5, "learned something: prequential RMSE " + totals.rmse());
        }
    }
}
