package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.learn.FismLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fism trainer started from a fism snapshot goes on from the snapshot's users and context vectors, through Kafka:
 * the seeder writes them to {@code fism-seed}, every instance reads that topic into a global store, and a user task
 * takes a user's sum and history from it at the user's first event.
 */
@Tag("integration")
class FismSeedTest {
    private static final int USERS = 400;
    private static final int GROUPS = 20;

    /**
     * Twenty groups of ten items, each as popular as any other. Before the snapshot each user picks six items of
     * their group and one at random; after it, two more of their group. Every user's events interleave with the
     * others'.
     */
    private static List<Rating> planted(boolean afterSnapshot) {
        Random rnd = new Random(afterSnapshot ? 2 : 1);
        List<Rating> out = new ArrayList<>();
        int picks = afterSnapshot ? 2 : 7;
        long t = afterSnapshot ? 1_000_000 : 0;
        for (int k = 0; k < picks; k++) {
            for (int u = 0; u < USERS; u++) {
                int group = u % GROUPS;
                int item = afterSnapshot || k < 6 ? group * 10 + rnd.nextInt(10) : rnd.nextInt(GROUPS * 10);
                out.add(new Rating("u" + u, "i" + item, 1, t++));
            }
        }
        return out;
    }

    /** A fism trainer's settings that start a new application id from {@code snapshot}. */
    private static TrainerConfig fismFrom(
            Path snapshot, String bootstrap, String applicationId, Path stateDir, int partitions) {
        return StreamHarness.config(
                bootstrap,
                applicationId,
                stateDir,
                partitions,
                Map.of(TrainerConfig.MODEL_KIND, "fism", TrainerConfig.INIT_MODEL, snapshot.toString()));
    }

    @Test
    void shouldGoOnFromTheSnapshotsUsersAndContextVectorsOnEveryPartition(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            Path snapshot = dir.resolve("fism.srm");
            TrainerConfig config = fismFrom(snapshot, bootstrap, "fism-seed", dir.resolve("state"), 2);
            FismLearner pretrained =
                    new FismLearner(new Model(config.hyperparameters()), config.negatives(), FismLearner.DEFAULT_ALPHA);
            pretrained.learnAll(planted(false));
            ModelSnapshot.write(pretrained.model(), pretrained.state(), snapshot, "planted groups");

            List<Rating> stream = planted(true);
            PrequentialTotals totals = new PrequentialTotals();
            try (TrainerApp app = TrainerApp.start(config, totals, false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                StreamHarness.produce(bootstrap, stream);
                StreamHarness.await(
                        "every streamed positive trained",
                        Duration.ofSeconds(90),
                        () -> totals.trained() >= stream.size());
            }
            // A user's second event after the start is the first the stream ranks (one per user). From the seed, the
            // user's row is built from the items of their group in the snapshot: recall@10 0.40 in the run that set
            // this bound. Without the seed (the tasks reading no fism-seed store) the row is built from the one item
            // of the user's first event since the start, with a context vector the task starts at random: 0.085, for
            // a chance of 10 in 200.
            assertTrue(totals.ranked() >= USERS * 9 / 10, "ranked " + totals.ranked());
            assertTrue(totals.recall() > 0.25, "recall@10 " + totals.recall() + " over " + totals.ranked());
        }
    }

    @Test
    void shouldLeaveInFismSeedOnlyTheLatestSnapshotsUsersAndItems(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            Path big = dir.resolve("big.srm");
            Path small = dir.resolve("small.srm");
            TrainerConfig first = fismFrom(big, bootstrap, "first", dir.resolve("a"), 1);
            TrainerConfig second = fismFrom(small, bootstrap, "second", dir.resolve("b"), 1);
            FismLearner a = new FismLearner(new Model(first.hyperparameters()), 5, FismLearner.DEFAULT_ALPHA);
            a.learnAll(planted(false));
            ModelSnapshot.write(a.model(), a.state(), big, "all users");
            FismLearner b = new FismLearner(new Model(first.hyperparameters()), 5, FismLearner.DEFAULT_ALPHA);
            b.learnAll(
                    planted(false).stream().filter(r -> r.user().length() == 2).toList()); // u0..u9
            ModelSnapshot.write(b.model(), b.state(), small, "ten users");
            try (org.apache.kafka.clients.admin.Admin admin =
                    org.apache.kafka.clients.admin.Admin.create(first.clientProperties())) {
                TopicSetup.createTopics(admin, first);
            }
            ModelSeeder.seed(first);
            ModelSeeder.seed(second);
            java.util.Set<String> expected = new java.util.HashSet<>();
            io.streamrec.stream.FismSeed.records(b.state(), b.model().items(), (key, value) -> expected.add(key));
            assertEquals(10 + b.model().items().size(), expected.size());
            // A user of the first snapshot only would otherwise start from its old history in the second model.
            assertEquals(expected, ModelSeeder.latestKeys(second, io.streamrec.stream.Topics.FISM_SEED));
        }
    }
}
