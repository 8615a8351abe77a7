package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.event;
import static io.streamrec.stream.StreamFixtures.json;
import static io.streamrec.stream.StreamFixtures.str;
import static io.streamrec.stream.StreamFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelUpdates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole training topology in a {@link TopologyTestDriver} (one partition per topic). The driver feeds records
 * written to {@code user-events}, {@code item-gradients} and {@code model-updates} back into the topology by
 * itself (they are source or global topics of it), so item rows reach the global store without help.
 */
class StreamTopologyTest {
    private static final long HOUR = 3_600_000L;
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Duration INGEST_AGE = Duration.ofMillis(250);

    @TempDir
    Path stateDir;

    private final RecordingListener listener = new RecordingListener();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> interactions;
    private TestOutputTopic<byte[], byte[]> dlq;
    private TestOutputTopic<String, byte[]> modelUpdates;
    private TestOutputTopic<String, byte[]> userEvents;
    private TestOutputTopic<Integer, byte[]> itemGradients;
    private TestOutputTopic<String, byte[]> metrics;

    private void start(String... settings) {
        startWithUserEventsPartitions(1, settings);
    }

    /** The driver runs task 0 alone; with more {@code user-events} partitions, users owned elsewhere are re-keyed. */
    private void startWithUserEventsPartitions(int userEventsPartitions, String... settings) {
        TrainerConfig c = config(stateDir, settings);
        driver = new TopologyTestDriver(
                StreamTopology.build(c, listener, userEventsPartitions), c.streamsProperties(), START);
        // Events were produced INGEST_AGE before the driver's wall clock starts: the latency of their rows is known.
        interactions = driver.createInputTopic(
                Topics.INTERACTIONS,
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                START.minus(INGEST_AGE),
                Duration.ZERO);
        dlq = driver.createOutputTopic(Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        modelUpdates =
                driver.createOutputTopic(Topics.MODEL_UPDATES, new StringDeserializer(), new ByteArrayDeserializer());
        userEvents =
                driver.createOutputTopic(Topics.USER_EVENTS, new StringDeserializer(), new ByteArrayDeserializer());
        itemGradients = driver.createOutputTopic(
                Topics.ITEM_GRADIENTS,
                new org.apache.kafka.common.serialization.IntegerDeserializer(),
                new ByteArrayDeserializer());
        metrics = driver.createOutputTopic(
                Topics.TRAINING_METRICS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void pipe(String key, byte[] value) {
        interactions.pipeInput(key == null ? null : utf8(key), value);
    }

    /** Lets a long wall-clock interval pass: every task flushes and publishes what changed. */
    private void interval() {
        driver.advanceWallClockTime(Duration.ofMillis(HOUR));
    }

    /** Latest value per key of everything published to model-updates so far (what compaction keeps). */
    private final Map<String, byte[]> latest = new LinkedHashMap<>();

    private Map<String, byte[]> latestModel() {
        for (KeyValue<String, byte[]> kv : modelUpdates.readKeyValuesToList()) {
            latest.put(kv.key, kv.value);
        }
        return latest;
    }

    private static Map<String, JsonNode> rows(Map<String, byte[]> model, String prefix) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        model.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, json(v));
            }
        });
        return out;
    }

    /** A malformed input and the DLQ reason it must get. */
    private record Bad(String key, String value, String reason) {}

    private static List<Bad> malformed() {
        String longId = "x".repeat(EventParser.MAX_ID_LENGTH + 1);
        return List.of(
                new Bad("u", "hello", EventParser.NOT_JSON),
                new Bad("u", "[{\"user\":\"u\",\"item\":\"i\",\"label\":3}]", EventParser.NOT_JSON),
                new Bad("u", "", EventParser.NOT_JSON),
                new Bad("u", null, EventParser.NOT_JSON),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":3", EventParser.NOT_JSON),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":3} {}", EventParser.NOT_JSON),
                new Bad("u", "{\"item\":\"i\",\"label\":3}", EventParser.MISSING_USER),
                new Bad("u", "{\"user\":\"\",\"item\":\"i\",\"label\":3}", EventParser.MISSING_USER),
                new Bad("u", "{\"user\":\"u\",\"label\":3}", EventParser.MISSING_ITEM),
                new Bad("u", "{\"user\":\"u\",\"item\":\"\",\"label\":3}", EventParser.MISSING_ITEM),
                new Bad(null, "{\"user\":\"" + longId + "\",\"item\":\"i\",\"label\":3}", EventParser.ID_TOO_LONG),
                new Bad("u", "{\"user\":\"u\",\"item\":\"" + longId + "\",\"label\":3}", EventParser.ID_TOO_LONG),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\"}", EventParser.BAD_LABEL),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":\"3\"}", EventParser.BAD_LABEL),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":null}", EventParser.BAD_LABEL),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":1e999}", EventParser.BAD_LABEL),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":-1e999}", EventParser.BAD_LABEL),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":0}", EventParser.LABEL_OUT_OF_RANGE),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":6}", EventParser.LABEL_OUT_OF_RANGE),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":5.0001}", EventParser.LABEL_OUT_OF_RANGE),
                new Bad("u", "{\"user\":{\"id\":\"u\"},\"item\":\"i\",\"label\":3}", EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":[\"u\"],\"item\":\"i\",\"label\":3}", EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":true,\"item\":\"i\",\"label\":3}", EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":1.5,\"item\":\"i\",\"label\":3}", EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":\"u\",\"item\":false,\"label\":3}", EventParser.WRONG_TYPE),
                new Bad(
                        "u",
                        "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":\"2024-01-01\"}",
                        EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":1.5}", EventParser.WRONG_TYPE),
                new Bad(
                        "u",
                        "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":99999999999999999999}",
                        EventParser.WRONG_TYPE),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":-1}", EventParser.BAD_WEIGHT),
                new Bad(
                        "u",
                        "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":\"heavy\"}",
                        EventParser.BAD_WEIGHT),
                new Bad("u", "{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":1e999}", EventParser.BAD_WEIGHT));
    }

    @Test
    void shouldSendEveryKindOfMalformedEventToTheDlqWithItsOriginalBytesHeadersAndReason() {
        start(TrainerConfig.BATCH_SIZE, "1");
        List<Bad> bad = malformed();
        for (int n = 0; n < bad.size(); n++) {
            Bad b = bad.get(n);
            RecordHeaders h = new RecordHeaders();
            h.add("trace-id", utf8("trace-" + n));
            h.add("source", utf8("test"));
            interactions.pipeInput(new TestRecord<>(utf8(b.key()), utf8(b.value()), h, 1_000L + n));
        }
        List<TestRecord<byte[], byte[]>> out = dlq.readRecordsToList();
        assertEquals(bad.size(), out.size(), "every malformed event reaches the DLQ, none is dropped");
        for (int n = 0; n < bad.size(); n++) {
            Bad b = bad.get(n);
            TestRecord<byte[], byte[]> r = out.get(n);
            String what = "case " + n + " " + b.value();
            assertArrayEquals(utf8(b.key()), r.key(), what);
            assertArrayEquals(utf8(b.value()), r.value(), what);
            assertEquals(b.reason(), header(r, RouterProcessor.REASON_HEADER), what);
            assertFalse(header(r, RouterProcessor.DETAIL_HEADER).isBlank(), what);
            assertEquals("trace-" + n, header(r, "trace-id"), what);
            assertEquals("test", header(r, "source"), what);
            assertEquals(Topics.INTERACTIONS, header(r, "streamrec.dlq.topic"), what);
            assertEquals("0", header(r, "streamrec.dlq.partition"), what);
            assertEquals(String.valueOf(n), header(r, "streamrec.dlq.offset"), what);
            assertEquals(1_000L + n, r.timestamp(), what);
        }
        assertEquals(bad.stream().map(Bad::reason).toList(), listener.rejected);
        assertEquals(0, listener.trained.get());
        assertTrue(modelUpdates.isEmpty(), "nothing malformed is trained");

        // The application carries on: a valid event afterwards trains.
        pipe("u", event("u", "i", 4));
        assertEquals(1, listener.trained.get());
        interval();
        assertEquals(1, json(latestModel().get("user:u")).get("updates").asLong());
    }

    private static String header(TestRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name);
        return str(h.value());
    }

    @Test
    void shouldAcceptIdsOfExactlyTheMaximumLengthAndNumericIds() {
        start(TrainerConfig.BATCH_SIZE, "2");
        String longest = "y".repeat(EventParser.MAX_ID_LENGTH);
        pipe(longest, event(longest, "i", 3));
        pipe(
                "196",
                utf8(
                        "{\"user\":196,\"item\":242,\"label\":1,\"weight\":0,\"timestamp\":881250949000,\"extra\":[1,{}]}"));
        assertTrue(dlq.isEmpty());
        interval();
        Map<String, byte[]> model = latestModel();
        assertTrue(model.containsKey("user:" + longest));
        assertTrue(model.containsKey("user:196"), "a numeric user id is its decimal text");
        assertTrue(userEvents.isEmpty(), "both were keyed by their user id");
    }

    @Test
    void shouldTrainAnEventKeyedByItsUserDirectlyWithoutGoingThroughUserEvents() {
        start(TrainerConfig.BATCH_SIZE, "1");
        pipe("alice", event("alice", "book", 5));
        assertTrue(userEvents.isEmpty());
        interval();
        JsonNode row = json(latestModel().get("user:alice"));
        assertEquals(1, row.get("updates").asLong());
        assertEquals(1, row.get("version").asInt());
    }

    @Test
    void shouldTombstoneUserAndItemRowsUntrainedForRowsTtlSoTheGlobalStoreAndCompactionDropThem() {
        // TTL 60 s: the user tasks sweep every 15 s of wall clock.
        start(TrainerConfig.BATCH_SIZE, "1", TrainerConfig.ROWS_TTL_MS, "60000");
        pipe("alice", event("alice", "book", 5));
        pipe("bob", event("bob", "book", 3));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        // The user task sent book's gradients on that interval; the item task steps and saves it on the next.
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertNotNull(latestModel().get("user:alice"), "published after training");
        assertNotNull(latestModel().get("item:book"), "published after training");
        KeyValueStore<String, byte[]> global = driver.getKeyValueStore(Topics.GLOBAL_ROWS_STORE);
        assertNotNull(global.get("user:alice"));

        driver.advanceWallClockTime(Duration.ofSeconds(49)); // a sweep: nobody is older than 60 s yet
        assertNotNull(global.get("user:alice"));
        pipe("bob", event("bob", "pen", 4));
        // Alice and book untrained for 70 s and more; bob and pen trained 20 s ago.
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // the item task steps pen on the interval after
        Map<String, byte[]> model = latestModel();
        assertTrue(model.containsKey("user:alice") && model.get("user:alice") == null, "a tombstone for alice");
        assertTrue(model.containsKey("item:book") && model.get("item:book") == null, "a tombstone for book");
        assertNotNull(model.get("user:bob"));
        assertNotNull(model.get("item:pen"));
        assertNull(global.get("user:alice"), "every instance's global store drops the rows");
        assertNull(global.get("item:book"));
        assertNotNull(global.get("item:pen"));
        assertNull(driver.getKeyValueStore(Topics.USER_STORE).get("alice"), "and the tasks' stores");
        assertNull(driver.getKeyValueStore(Topics.ITEM_STORE).get("book"));
        assertNotNull(driver.getKeyValueStore(Topics.USER_STORE).get("bob"));
        assertNotNull(driver.getKeyValueStore(Topics.ITEM_STORE).get("pen"));
        assertEquals(2, listener.expired.get());
    }

    @Test
    void shouldRekeyEventsOfUsersOwnedByAnotherTaskThroughUserEventsWhateverTheirKeyAndStillTrainThem() {
        assertEquals(
                List.of(1, 1),
                List.of(StreamTopology.partitionOf("alice", 2), StreamTopology.partitionOf("frank", 2)),
                "both users belong to the task of partition 1, not to the driver's task 0");
        startWithUserEventsPartitions(2, TrainerConfig.BATCH_SIZE, "1");
        pipe("alice", event("alice", "film", 2));
        pipe(null, event("frank", "film", 3));
        List<KeyValue<String, byte[]>> rekeyed = userEvents.readKeyValuesToList();
        assertEquals(
                List.of("alice", "frank"), rekeyed.stream().map(kv -> kv.key).toList());
        Event alice = Codecs.decodeEvent(rekeyed.get(0).value);
        assertEquals("film", alice.item());
        assertEquals(2f, alice.label());
        interval();
        Map<String, byte[]> model = latestModel();
        assertEquals(1, json(model.get("user:alice")).get("updates").asLong());
        assertEquals(1, json(model.get("user:frank")).get("updates").asLong());
        assertEquals(2, listener.trained.get());
    }

    @Test
    void shouldSendTheGradientsSummedOverTheIntervalAndPublishUserRowsMeanAndMetrics() {
        start(
                TrainerConfig.BATCH_SIZE,
                "4",
                TrainerConfig.FLUSH_INTERVAL_MS,
                String.valueOf(HOUR),
                TrainerConfig.ITEM_BATCH_SIZE,
                "1000");
        pipe("u1", event("u1", "i1", 5));
        pipe("u1", event("u1", "i2", 4));
        pipe("u2", event("u2", "i1", 3));
        pipe("u3", event("u3", "i3", 2));
        assertTrue(itemGradients.isEmpty(), "a mini-batch steps the local item rows; its gradients wait");
        assertTrue(modelUpdates.isEmpty(), "rows are published on the flush interval, each changed row once");

        // The interval: the user task publishes its changed rows and label sums, the item task its stepped rows.
        interval();
        Map<String, byte[]> model = latestModel();
        Map<String, JsonNode> users = rows(model, "user:");
        assertEquals(Set.of("user:u1", "user:u2", "user:u3"), users.keySet());
        JsonNode u1 = users.get("user:u1");
        assertEquals("user", u1.get("kind").asText());
        assertEquals("u1", u1.get("id").asText());
        assertTrue(u1.get("bias").isNumber());
        assertEquals(4, u1.get("factors").size(), "model.factors = 4");
        assertEquals(2, u1.get("version").asInt(), "one optimizer step per event of u1");
        assertEquals(2, u1.get("updates").asLong(), "two events changed u1");
        assertTrue(u1.get("updatedAt").asLong() > 0);
        assertEquals(1, users.get("user:u2").get("updates").asLong());

        JsonNode mean = json(model.get("mean:0"));
        assertEquals("mean", mean.get("kind").asText());
        assertEquals(0, mean.get("partition").asInt());
        assertEquals(14.0, mean.get("sum").asDouble(), 1e-9);
        assertEquals(4.0, mean.get("count").asDouble(), 1e-9);

        Map<String, Integer> gradientEvents = new LinkedHashMap<>();
        List<KeyValue<Integer, byte[]>> batches = itemGradients.readKeyValuesToList();
        assertEquals(1, batches.size(), "one packed batch per interval and item partition (one partition here)");
        for (KeyValue<Integer, byte[]> kv : batches) {
            Codecs.readGradientBatch(kv.value, 5, (id, events, oldest, grad) -> {
                assertEquals(StreamTopology.partitionOf(id, 1), kv.key, "batch keyed by the items' slot");
                assertEquals(null, gradientEvents.put(id, events), "each item once per batch");
            });
        }
        assertEquals(Map.of("i1", 2, "i2", 1, "i3", 1), gradientEvents, "one summed gradient per item");

        // The gradients reached the item task after its punctuator ran: it publishes on the next interval.
        interval();
        model = latestModel();
        List<KeyValue<String, byte[]>> m = metrics.readKeyValuesToList();
        assertEquals(
                List.of("user-0", "item-0"),
                m.stream().map(kv -> kv.key).toList(),
                "one record per interval and task: the user task's, then the item task's");
        JsonNode um = json(m.get(0).value);
        assertEquals(
                Set.of(
                        "recallAt10",
                        "partition",
                        "role",
                        "events",
                        "rmse",
                        "mae",
                        "logloss",
                        "auc",
                        "loss",
                        "learningRate",
                        "modelVersion",
                        "latencyMs",
                        "timestamp"),
                fieldNames(um));
        assertEquals("user", um.get("role").asText());
        assertEquals(4, um.get("events").asInt());
        assertEquals(4, um.get("modelVersion").asLong(), "four user-row steps, one per event");
        assertTrue(um.get("rmse").isNumber()
                && um.get("mae").isNumber()
                && um.get("loss").isNumber());
        assertTrue(um.get("logloss").isNull() && um.get("auc").isNull(), "biased model: no binary metrics");
        assertEquals(
                INGEST_AGE.toMillis() + HOUR,
                um.get("latencyMs").asLong(),
                "from the oldest event's ingest time to the flush an interval later, on the driver's wall clock");

        // The item trainer: one step per item, updates = events behind the gradients.
        Map<String, JsonNode> items = rows(model, "item:");
        assertEquals(Set.of("item:i1", "item:i2", "item:i3"), items.keySet());
        assertEquals("item", items.get("item:i1").get("kind").asText());
        assertEquals(1, items.get("item:i1").get("version").asInt());
        assertEquals(2, items.get("item:i1").get("updates").asLong());
        assertEquals(1, items.get("item:i3").get("updates").asLong());
        JsonNode itemMetrics = json(m.get(1).value);
        assertEquals("item", itemMetrics.get("role").asText());
        assertEquals(4, itemMetrics.get("events").asInt());
        assertEquals(3, itemMetrics.get("modelVersion").asLong());
        assertTrue(itemMetrics.get("rmse").isNull(), "the item role has no prequential error");

        // The driver fed model-updates into the global store by itself.
        KeyValueStore<String, byte[]> global = driver.getKeyValueStore(Topics.GLOBAL_ROWS_STORE);
        assertArrayEquals(latest.get("item:i1"), global.get("item:i1"));
        assertArrayEquals(latest.get("user:u1"), global.get("user:u1"));
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void shouldFlushPendingEventsAfterFlushIntervalOfWallClockTime() {
        start(TrainerConfig.BATCH_SIZE, "1000", TrainerConfig.FLUSH_INTERVAL_MS, "1000");
        pipe("u1", event("u1", "i1", 5));
        pipe("u2", event("u2", "i1", 3));
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertTrue(modelUpdates.isEmpty(), "not before the interval");
        driver.advanceWallClockTime(Duration.ofMillis(500));
        Map<String, JsonNode> users = rows(latestModel(), "user:");
        assertEquals(Set.of("user:u1", "user:u2"), users.keySet());
        assertEquals(List.of(new RecordingListener.Flush("user", 2)), listener.flushes);
        // The gradients reached the item task after its punctuator ran: the next interval publishes the item.
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        JsonNode item = rows(latestModel(), "item:").get("item:i1");
        assertNotNull(item, "item row after the item flush");
        assertEquals(2, item.get("updates").asLong());
    }

    @Test
    void withTheUserScaleRowsShouldCarryItAfterTheirFactorsAndEachItemItsBiasAgain() {
        start(TrainerConfig.USER_SCALE, "true", TrainerConfig.BATCH_SIZE, "2", TrainerConfig.ITEM_BATCH_SIZE, "1");
        for (int r = 0; r < 3; r++) {
            pipe("u1", event("u1", "i1", 5));
            pipe("u1", event("u1", "i2", 1));
            pipe("u2", event("u2", "i1", 4));
            pipe("u2", event("u2", "i2", 2));
            interval();
        }
        interval();
        Map<String, byte[]> model = latestModel();
        Hyperparameters hyper =
                config(stateDir, TrainerConfig.USER_SCALE, "true").hyperparameters();
        int factors = hyper.factors();
        for (JsonNode user : rows(model, "user:").values()) {
            assertEquals(factors + 1, user.get("factors").size(), user.toString());
            assertNotEquals(0.0, user.get("factors").get(factors).asDouble(), "c_u learned: " + user);
        }
        Map<String, JsonNode> items = rows(model, "item:");
        assertEquals(Set.of("item:i1", "item:i2"), items.keySet());
        for (JsonNode item : items.values()) {
            assertEquals(factors + 1, item.get("factors").size(), item.toString());
            assertNotEquals(0.0, item.get("bias").asDouble(), item.toString());
            assertEquals(
                    item.get("bias").asDouble(),
                    item.get("factors").get(factors).asDouble(),
                    0.0,
                    item.toString());
        }
        // What a client reads: the meta record gives the rows' factor count, one more than the model's factors.
        JsonNode meta = json(MetaRecord.of(hyper, 3.0, null, START.toEpochMilli()));
        assertEquals(factors + 1, meta.get("factors").asInt());
    }

    /**
     * With the residual neighbourhood, rows carry its coordinates after the model's: a user's [beta . f_u, gamma s_u
     * / (1 + sqrt m_u)], an item's [1, y_i], so that a client's dot product includes the layer; the meta says so.
     */
    @Test
    void withTheNeighbourhoodRowsShouldCarryItsCoordinatesAfterTheModels() {
        start(TrainerConfig.NEIGHBOURHOOD, "true", TrainerConfig.USER_SCALE, "true");
        java.util.Random random = new java.util.Random(3);
        for (int n = 0; n < io.streamrec.learn.ResidualBasis.MIN_REFRESH_EVENTS + 1000; n++) {
            int user = random.nextInt(30);
            int item = random.nextInt(40);
            pipe("u" + user, event("u" + user, "i" + item, user % 2 == item % 2 ? 5 : 1));
            if (n % 500 == 0) {
                interval();
            }
        }
        interval();
        interval();
        TrainerConfig c = config(stateDir, TrainerConfig.NEIGHBOURHOOD, "true", TrainerConfig.USER_SCALE, "true");
        int model = c.hyperparameters().width() - 1;
        int tail = io.streamrec.learn.ResidualNeighbourhood.SERVED_TAIL;
        assertEquals(model + tail, c.publishedWidth() - 1);
        Map<String, byte[]> latest = latestModel();
        boolean someY = false;
        for (JsonNode item : rows(latest, "item:").values()) {
            assertEquals(model + tail, item.get("factors").size(), item.toString());
            assertEquals(1.0, item.get("factors").get(model).asDouble(), item.toString());
            for (int c2 = 1; c2 < tail; c2++) {
                someY |= item.get("factors").get(model + c2).asDouble() != 0;
            }
        }
        assertTrue(someY, "items carry their basis coordinates");
        boolean someLevel = false;
        boolean someS = false;
        for (JsonNode user : rows(latest, "user:").values()) {
            assertEquals(model + tail, user.get("factors").size(), user.toString());
            someLevel |= user.get("factors").get(model).asDouble() != 0;
            for (int c2 = 1; c2 < tail; c2++) {
                someS |= user.get("factors").get(model + c2).asDouble() != 0;
            }
        }
        assertTrue(someLevel && someS, "users carry their level and neighbourhood terms");
        JsonNode meta = json(MetaRecord.of(c.hyperparameters(), tail, 3.0, null, START.toEpochMilli()));
        assertEquals(model + tail, meta.get("factors").asInt());
    }

    @Test
    void shouldSaveItemsAfterItemBatchSizeEventsOfGradientsAndPublishThemOnTheInterval() {
        start(
                TrainerConfig.BATCH_SIZE,
                "2",
                TrainerConfig.FLUSH_INTERVAL_MS,
                String.valueOf(HOUR),
                TrainerConfig.ITEM_BATCH_SIZE,
                "2");
        pipe("u1", event("u1", "i1", 5));
        pipe("u2", event("u2", "i1", 3));
        interval();
        // Two events' gradients reach item.batch.size = 2: the row is saved and the logged batch forgotten ...
        KeyValueStore<String, byte[]> itemStore = driver.getKeyValueStore(Topics.ITEM_STORE);
        assertNotNull(itemStore.get("i1"), "saved");
        assertEquals(2, Codecs.decodeRow(itemStore.get("i1")).updates());
        PendingLog pendingGradients = (PendingLog) driver.getStateStore(Topics.ITEM_PENDING_STORE);
        assertEquals(0, pendingGradients.size(), "no pending batch left once its steps are saved");
        assertTrue(rows(latestModel(), "item:").isEmpty(), "... and published on the interval");
        interval();
        JsonNode item = rows(latestModel(), "item:").get("item:i1");
        assertNotNull(item);
        assertEquals(2, item.get("updates").asLong());
    }

    @Test
    void shouldLogTheEventsOfAnUnflushedBatchToTheChangelogWhenKafkaStreamsCommits() {
        start(TrainerConfig.BATCH_SIZE, "10", TrainerConfig.FLUSH_INTERVAL_MS, String.valueOf(HOUR));
        // The driver commits after each input record, as Kafka Streams does at commit.interval.ms: the pending
        // log writes its new entries in that commit (PendingLog hooks the step that writes record caches out).
        // If a Kafka Streams upgrade stopped calling that hook, pending events would not survive a crash.
        pipe("u1", event("u1", "i1", 5));
        pipe("u2", event("u2", "i2", 3));
        String changelog = driver.producedTopicNames().stream()
                .filter(n -> n.endsWith("-" + Topics.USER_PENDING_STORE + "-changelog"))
                .findFirst()
                .orElseThrow();
        List<TestRecord<Long, byte[]>> logged = driver.createOutputTopic(
                        changelog,
                        new org.apache.kafka.common.serialization.LongDeserializer(),
                        new ByteArrayDeserializer())
                .readRecordsToList();
        assertEquals(2, logged.size(), "one record per commit");
        List<String> users = new ArrayList<>();
        for (TestRecord<Long, byte[]> r : logged) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.value());
            while (b.hasRemaining()) {
                byte[] e = new byte[b.getInt()];
                b.get(e);
                users.add(Codecs.decodeEvent(e).user());
            }
        }
        assertEquals(List.of("u1", "u2"), users);
        assertEquals(2, ((PendingLog) driver.getStateStore(Topics.USER_PENDING_STORE)).size());
    }

    @Test
    void shouldPredictTheFirstEventOfANewUserAndItemWithTheGlobalMeanFallback() {
        start(
                TrainerConfig.BATCH_SIZE,
                "2",
                TrainerConfig.FLUSH_INTERVAL_MS,
                String.valueOf(HOUR),
                TrainerConfig.ITEM_BATCH_SIZE,
                "2");
        pipe("u1", event("u1", "i1", 5));
        pipe("u2", event("u2", "i2", 4));
        // Before any label: the middle of the 1..5 range; unseen rows contribute nothing.
        assertEquals(3.0, listener.prequential.get(0).prediction(), 0.0);
        assertEquals(5.0, listener.prequential.get(1).prediction(), 0.0, "each label joins the mean once learned");
        pipe("u3", event("u3", "i3", 1));
        assertEquals(4.5, listener.prequential.get(2).prediction(), 1e-12, "mean of the labels 5 and 4");
        assertEquals(1.0, listener.prequential.get(2).label(), 0.0);

        // A published item row is seen by the user task through the global store: a new user on i1 gets
        // mean + b_i1, exactly. (The first interval sends the gradients, the second publishes the item.)
        interval();
        interval();
        Map<String, byte[]> model = latestModel();
        ModelUpdates.ParsedRow i1 = ModelUpdates.parseRow("item:i1", model.get("item:i1"), 5);
        assertNotNull(i1, "i1 was published after the first batch (item.batch.size = 2)");
        assertTrue(i1.params()[0] != 0f, "a trained bias");
        double[] mean = ModelUpdates.parseMean(model.get("mean:0"));
        pipe("u4", event("u4", "i1", 2));
        double expected = Math.min(5, Math.max(1, mean[0] / mean[1] + i1.params()[0]));
        assertEquals(expected, listener.prequential.get(3).prediction(), 1e-12);
    }

    @Test
    void shouldAccountEveryValidEventExactlyOnceInTheUpdatesOfTheLatestRows() {
        start(
                TrainerConfig.BATCH_SIZE,
                "8",
                TrainerConfig.FLUSH_INTERVAL_MS,
                "500",
                TrainerConfig.ITEM_BATCH_SIZE,
                "20");
        Random rnd = new Random(7);
        int valid = 0;
        int rejected = 0;
        double labelSum = 0;
        for (int n = 0; n < 400; n++) {
            String user = "u" + rnd.nextInt(25);
            if (n % 9 == 4) {
                pipe(user, utf8("{\"user\":\"" + user + "\",\"item\":\"i1\",\"label\":9}"));
                rejected++;
                continue;
            }
            int label = 1 + rnd.nextInt(5);
            String key = switch (n % 3) {
                case 0 -> user;
                case 1 -> "other-" + n;
                default -> null;
            };
            pipe(key, event(user, "i" + rnd.nextInt(15), label));
            valid++;
            labelSum += label;
            if (n % 50 == 49) {
                driver.advanceWallClockTime(Duration.ofMillis(500));
            }
        }
        driver.advanceWallClockTime(Duration.ofMillis(500));
        driver.advanceWallClockTime(Duration.ofMillis(500));

        Map<String, byte[]> model = latestModel();
        long userUpdates = rows(model, "user:").values().stream()
                .mapToLong(r -> r.get("updates").asLong())
                .sum();
        long itemUpdates = rows(model, "item:").values().stream()
                .mapToLong(r -> r.get("updates").asLong())
                .sum();
        assertEquals(valid, userUpdates, "each valid event updated exactly one user row once");
        assertEquals(valid, itemUpdates, "each valid event's gradient reached exactly one item row once");
        double[] mean = ModelUpdates.parseMean(model.get("mean:0"));
        assertEquals(valid, mean[1], 1e-9);
        assertEquals(labelSum, mean[0], 1e-9);
        assertEquals(valid, listener.trained.get());
        assertEquals(valid, listener.prequential.size());
        assertEquals(rejected, listener.rejected.size());
        assertEquals(rejected, dlq.getQueueSize());
    }

    @Test
    void shouldPublishLogisticMetricsForTheLogisticModel() {
        start(TrainerConfig.MODEL_KIND, "logistic-mf", TrainerConfig.BATCH_SIZE, "4");
        pipe("u1", utf8("{\"user\":\"u1\",\"item\":\"i1\",\"label\":1}"));
        pipe("u1", utf8("{\"user\":\"u1\",\"item\":\"i2\",\"label\":0}"));
        pipe("u2", utf8("{\"user\":\"u2\",\"item\":\"i1\",\"label\":1}"));
        pipe("u2", utf8("{\"user\":\"u2\",\"item\":\"i2\",\"label\":0}"));
        pipe("u2", utf8("{\"user\":\"u2\",\"item\":\"i2\",\"label\":2}"));
        assertEquals(List.of(EventParser.LABEL_OUT_OF_RANGE), listener.rejected, "labels of 0..1 only");
        interval();
        JsonNode um = json(metrics.readKeyValuesToList().get(0).value);
        assertTrue(um.get("logloss").isNumber(), "logloss for the logistic model");
        assertTrue(um.get("auc").isNumber(), "auc for the logistic model");
        List<Double> predictions = new ArrayList<>();
        listener.prequential.forEach(p -> predictions.add(p.prediction()));
        assertTrue(predictions.stream().allMatch(p -> p > 0 && p < 1), "probabilities: " + predictions);
    }
}
