package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.event;
import static io.streamrec.stream.StreamFixtures.json;
import static io.streamrec.stream.StreamFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Positives in the whole topology: thresholded labels, exact item counts, sampled negatives and ranking. */
class PositivesStreamTest {
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private final AtomicLong ranked = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final RecordingListener recording = new RecordingListener();
    private final TrainerListener listener = new CompositeListener(recording, new TrainerListener() {
        @Override
        public void ranked(int cutoff, boolean hit) {
            ranked.incrementAndGet();
            if (hit) {
                hits.incrementAndGet();
            }
        }
    });

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestInputTopic<byte[], byte[]> start(String... settings) {
        TrainerConfig c = config(stateDir, settings);
        driver = new TopologyTestDriver(StreamTopology.build(c, listener, 1), c.streamsProperties(), START);
        return driver.createInputTopic(Topics.INTERACTIONS, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Map<String, JsonNode> published() {
        TestOutputTopic<String, byte[]> updates =
                driver.createOutputTopic(Topics.MODEL_UPDATES, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, JsonNode> out = new HashMap<>();
        for (KeyValue<String, byte[]> kv : updates.readKeyValuesToList()) {
            if (kv.key.startsWith("user:") || kv.key.startsWith("item:")) {
                out.put(kv.key, json(kv.value));
            }
        }
        return out;
    }

    @Test
    void popularityShouldPublishEachItemsCountOfPositivesAsItsBias() {
        TestInputTopic<byte[], byte[]> in = start(TrainerConfig.MODEL_KIND, "popularity", TrainerConfig.POSITIVES, "4");
        int[] counts = new int[5];
        for (int e = 0; e < 300; e++) {
            int item = (e / 5) % 5;
            int label = 1 + e % 5;
            if (label >= 4) {
                counts[item]++;
            }
            in.pipeInput(utf8("u" + e % 7), event("u" + e % 7, "i" + item, label));
        }
        // The user task flushes on the first interval, the item task steps the gradients it got on the second.
        driver.advanceWallClockTime(Duration.ofHours(1));
        driver.advanceWallClockTime(Duration.ofHours(1));
        Map<String, JsonNode> rows = published();
        for (int item = 0; item < 5; item++) {
            JsonNode row = rows.get("item:i" + item);
            assertTrue(row != null, "item:i" + item + " in " + rows.keySet());
            assertEquals(counts[item], row.get("bias").asDouble(), 1e-3, "item i" + item);
        }
        assertEquals(120, recording.trained.get(), "only the positives (labels 4 and 5) are trained");
        assertEquals(List.of(), recording.rejected, "ratings below the threshold are valid, not rejected");
    }

    @Test
    void logisticWithPositivesShouldLearnEveryRatingAsZeroOrOne() {
        TestInputTopic<byte[], byte[]> in =
                start(TrainerConfig.MODEL_KIND, "logistic-mf", TrainerConfig.POSITIVES, "4");
        for (int e = 0; e < 300; e++) {
            in.pipeInput(utf8("u" + e % 7), event("u" + e % 7, "i" + (e / 5) % 5, 1 + e % 5));
        }
        driver.advanceWallClockTime(Duration.ofHours(1));
        driver.advanceWallClockTime(Duration.ofHours(1));
        assertEquals(300, recording.trained.get(), "ratings 1-5 are 0/1 labels once thresholded");
        assertEquals(List.of(), recording.rejected, "ratings below the threshold are valid, not rejected");
        assertTrue(published().containsKey("item:i0"));
    }

    @Test
    void bprShouldRankSampledEventsBeforeLearningThemAndReportRecall() {
        TestInputTopic<byte[], byte[]> in = start(TrainerConfig.MODEL_KIND, "bpr");
        for (int e = 0; e < 400; e++) {
            in.pipeInput(utf8("u" + e % 10), event("u" + e % 10, "i" + (e * 7) % 30, 1));
        }
        driver.advanceWallClockTime(Duration.ofHours(1));
        driver.advanceWallClockTime(Duration.ofHours(1));
        assertTrue(ranked.get() > 100, "a catalogue of 30 items costs less than the budget: most events are ranked");
        TestOutputTopic<String, byte[]> metrics = driver.createOutputTopic(
                Topics.TRAINING_METRICS, new StringDeserializer(), new ByteArrayDeserializer());
        JsonNode last = null;
        for (KeyValue<String, byte[]> kv : metrics.readKeyValuesToList()) {
            if (kv.key.startsWith("user-")) {
                last = json(kv.value);
            }
        }
        assertTrue(last != null && last.get("recallAt10").isNumber(), String.valueOf(last));
        assertEquals((double) hits.get() / ranked.get(), last.get("recallAt10").asDouble(), 1e-9);
        assertTrue(published().containsKey("item:i0"));
    }

    /**
     * Twenty groups of ten items, every item as popular as any other; each user picks six items of their group and
     * two at random, all users' events interleaved. Popularity ranks at chance; fism's user rows, built from the
     * user's earlier items, find the group (FismLearnerTest has the same data offline).
     */
    @Test
    void fismShouldFindWhichItemsGoTogetherThroughTheWholeTopology() {
        double popularity = plantedGroupsRecall("popularity");
        ranked.set(0);
        hits.set(0);
        driver.close();
        double fism = plantedGroupsRecall("fism");
        assertTrue(popularity < 0.15, "popularity ranks at chance here: " + popularity);
        assertTrue(fism > 3 * popularity, "fism " + fism + " vs popularity " + popularity);
        assertTrue(published().keySet().stream().anyMatch(k -> k.startsWith("user:")), "user rows are published");
    }

    private double plantedGroupsRecall(String kind) {
        TestInputTopic<byte[], byte[]> in = start(TrainerConfig.MODEL_KIND, kind, TrainerConfig.FACTORS, "10");
        List<String[]> events = new java.util.ArrayList<>();
        java.util.Random rnd = new java.util.Random(11);
        for (int u = 0; u < 2000; u++) {
            int group = u % 20;
            for (int k = 0; k < 8; k++) {
                int item = k < 6 ? group * 10 + rnd.nextInt(10) : rnd.nextInt(200);
                events.add(new String[] {"u" + u, "i" + item});
            }
        }
        java.util.Collections.shuffle(events, new java.util.Random(3));
        int n = 0;
        for (String[] e : events) {
            in.pipeInput(utf8(e[0]), event(e[0], e[1], 1));
            if (++n % 500 == 0) {
                driver.advanceWallClockTime(Duration.ofSeconds(1));
            }
        }
        driver.advanceWallClockTime(Duration.ofHours(1));
        assertTrue(ranked.get() > 10_000, kind + ": a catalogue of 200 items is within the budget: " + ranked);
        return (double) hits.get() / ranked.get();
    }

    @Test
    void shouldReadNegativesOnceWithPublishedDefaultsAndNameTheSettingWhenOutOfRange() {
        assertEquals(1, config(stateDir, TrainerConfig.MODEL_KIND, "bpr").negatives());
        assertEquals(
                4,
                config(stateDir, TrainerConfig.MODEL_KIND, "implicit-logistic").negatives());
        assertEquals(
                8,
                config(stateDir, TrainerConfig.MODEL_KIND, "implicit-logistic", TrainerConfig.NEGATIVES, "8")
                        .negatives());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> config(stateDir, TrainerConfig.MODEL_KIND, "bpr", TrainerConfig.NEGATIVES, "0"));
        assertTrue(e.getMessage().contains("model.negatives") && e.getMessage().contains("1..1000"), e.getMessage());
    }

    @Test
    void shouldRefuseTheGateForPositivesOnlyModelsNamingBothSettings() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> config(stateDir, TrainerConfig.MODEL_KIND, "bpr", GateConfig.ENABLED, "true"));
        assertTrue(e.getMessage().contains("gate.enabled") && e.getMessage().contains("bpr"), e.getMessage());
    }

    @Test
    void shouldRefuseABinaryModelOnARatingRangeWithoutPositivesNamingTheSetting() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> config(stateDir, TrainerConfig.MODEL_KIND, "bpr", TrainerConfig.MAX_LABEL, "5"));
        assertTrue(e.getMessage().contains("model.positives"), e.getMessage());
        IllegalArgumentException b =
                assertThrows(IllegalArgumentException.class, () -> config(stateDir, TrainerConfig.POSITIVES, "4"));
        assertTrue(b.getMessage().contains("biased-mf"), b.getMessage());
    }
}
