package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two trainer instances share one application id; when one leaves, the other takes its tasks over. */
@Tag("integration")
class ScaleOutTest {
    static final int EVENTS = 20_000;

    @Test
    void shouldShareTasksAndLoseOrRepeatNoEventWhenAnInstanceLeaves(@TempDir Path stateA, @TempDir Path stateB)
            throws Exception {
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(2_000, 500, 8, 7)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            TrainerConfig config = StreamHarness.config(bootstrap, "scale-out", stateA, 4, 16);
            int width = config.hyperparameters().width();
            PrequentialTotals a = new PrequentialTotals();
            PrequentialTotals b = new PrequentialTotals();
            try (TrainerApp survivor = TrainerApp.start(config, a, false)) {
                TrainerApp leaver =
                        TrainerApp.start(StreamHarness.config(bootstrap, "scale-out", stateB, 4, 16), b, false);
                try {
                    StreamHarness.await(
                            "both instances RUNNING with active tasks",
                            Duration.ofSeconds(60),
                            () -> activeTasks(survivor) > 0 && activeTasks(leaver) > 0);
                    assertEquals(8, activeTasks(survivor) + activeTasks(leaver), "4 user and 4 item tasks, shared");

                    StreamHarness.produce(bootstrap, ratings.subList(0, EVENTS / 2));
                    StreamHarness.await(
                            "the first half trained",
                            Duration.ofSeconds(60),
                            () -> a.events() + b.events() >= EVENTS / 2);
                    assertTrue(a.events() > 0 && b.events() > 0, "both trained: " + a.events() + ", " + b.events());
                } finally {
                    leaver.close();
                }
                long trainedByLeaver = b.events();
                StreamHarness.produce(bootstrap, ratings.subList(EVENTS / 2, EVENTS));
                StreamHarness.await(
                        "all events trained", Duration.ofSeconds(90), () -> a.events() + b.events() >= EVENTS);
                StreamHarness.await(
                        "the survivor owns every task", Duration.ofSeconds(30), () -> activeTasks(survivor) == 8);
                assertEquals(trainedByLeaver, b.events(), "the closed instance trained nothing more");

                Map<String, byte[]> model =
                        StreamHarness.awaitUserUpdates(bootstrap, width, EVENTS, Duration.ofSeconds(60));
                assertEquals(
                        EVENTS, StreamHarness.userUpdates(model, width), "user rows include every event exactly once");
                assertEquals(EVENTS, a.events() + b.events(), "every event scored exactly once");
            }
        }
    }

    private static int activeTasks(TrainerApp app) {
        if (app.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            return 0;
        }
        return app.streams().metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().size())
                .sum();
    }
}
