package io.streamrec.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.client.ModelClient;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import io.streamrec.stream.Codecs;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream trainer and a downstream {@link ModelClient} agree on the model: trains a prefix of MovieLens-100K
 * through {@link TrainerApp} on a real (in-process) broker, then compares what a client reading
 * {@code model-updates} predicts with what the trainer's own state stores hold, scored the way the trainer scores
 * ({@code Model.predictScore(Model.score(..))}, global mean from the {@code mean:*} records). Also checks the
 * recommendation endpoints the app serves from its own client.
 *
 * <p>Own broker rather than the shared one: the trainer's topic names are fixed, and the version sums compared
 * here must see no other test's rows. Skips when the data set is absent (system property {@code streamrec.datasets}).
 */
@Tag("integration")
class TrainerAppServesTheModelTest {
    private static final int EVENTS = 20_000;
    private static final int PARTITIONS = 2;
    private static final double TOLERANCE = 1e-6;
    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;
    private static TrainerApp app;

    @BeforeAll
    static void trainOnMovieLens() throws Exception {
        Path data = io.streamrec.testsupport.Datasets.require("ml-100k/u.data");
        List<Rating> ratings =
                RatingReader.sortByTime(RatingReader.readAll(data)).subList(0, EVENTS);

        kafka = new EmbeddedKafka().start();
        TrainerConfig config = TrainerConfig.of(Map.of(
                TrainerConfig.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                TrainerConfig.APPLICATION_ID,
                "serves-the-model",
                "state.dir",
                work.resolve("state").toString(),
                TrainerConfig.PARTITIONS,
                String.valueOf(PARTITIONS),
                TrainerConfig.FACTORS,
                "8",
                TrainerConfig.HTTP_PORT,
                "0",
                TrainerConfig.HTTP_BIND,
                "127.0.0.1"));
        app = TrainerApp.start(config, TrainerListener.NONE, true);
        assertTrue(
                app.awaitRunning(Duration.ofSeconds(60)),
                "Kafka Streams did not reach RUNNING: " + app.streams().state());
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                "5");
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (Rating r : ratings) {
                p.send(new ProducerRecord<>(Topics.INTERACTIONS, r.user(), eventJson(r)));
            }
        }
        awaitTrainedAndPublished();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static byte[] eventJson(Rating r) {
        return ("{\"user\":\"" + r.user() + "\",\"item\":\"" + r.item() + "\",\"label\":" + r.label()
                        + ",\"timestamp\":" + r.timestamp() + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Waits until both row kinds account for every event (sum of {@code updates} = events) and the app's own
     * client holds the version the stores hold, stable across two looks.
     */
    private static void awaitTrainedAndPublished() {
        ModelClient client = app.modelClient();
        long[] previous = {-1};
        await("trainer and client to settle")
                .atMost(TRAINING_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Map<String, Codecs.StoredRow> users = rows(Topics.USER_STORE);
                    Map<String, Codecs.StoredRow> items = rows(Topics.ITEM_STORE);
                    long version = versions(users) + versions(items);
                    boolean stable = version == previous[0];
                    previous[0] = version;
                    String state = "user updates " + updates(users) + ", item updates " + updates(items) + " of "
                            + EVENTS + "; store version " + version + ", client version " + client.modelVersion();
                    assertTrue(
                            updates(users) == EVENTS
                                    && updates(items) == EVENTS
                                    && client.isReady()
                                    && client.modelVersion() == version
                                    && stable,
                            state);
                });
    }

    private static Map<String, Codecs.StoredRow> rows(String storeName) {
        ReadOnlyKeyValueStore<String, byte[]> store = app.streams()
                .store(StoreQueryParameters.fromNameAndType(
                        storeName, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        Map<String, Codecs.StoredRow> out = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                out.put(kv.key, Codecs.decodeRow(kv.value));
            }
        }
        return out;
    }

    private static long versions(Map<String, Codecs.StoredRow> rows) {
        return rows.values().stream().mapToLong(Codecs.StoredRow::version).sum();
    }

    private static long updates(Map<String, Codecs.StoredRow> rows) {
        return rows.values().stream().mapToLong(Codecs.StoredRow::updates).sum();
    }

    /** The global mean as the contract defines it, from the trainer's copy of the {@code mean:*} records. */
    private static double globalMeanOfTheMeanRecords() {
        ReadOnlyKeyValueStore<String, byte[]> global = app.streams()
                .store(StoreQueryParameters.fromNameAndType(
                        Topics.GLOBAL_ROWS_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        double sum = 0;
        double count = 0;
        int records = 0;
        try (KeyValueIterator<String, byte[]> it = global.prefixScan(ModelKeys.MEAN_PREFIX, new StringSerializer())) {
            while (it.hasNext()) {
                double[] m = ModelUpdates.parseMean(it.next().value);
                sum += m[0];
                count += m[1];
                records++;
            }
        }
        assertEquals(PARTITIONS, records, "one mean:<partition> record per user partition, no snapshot");
        assertEquals(EVENTS, count, 1e-9, "the mean records count every event once");
        return sum / count;
    }

    @Test
    void shouldPredictWhatTheTrainersOwnRowsPredict() throws Exception {
        Map<String, Codecs.StoredRow> users = rows(Topics.USER_STORE);
        Map<String, Codecs.StoredRow> items = rows(Topics.ITEM_STORE);
        Model scorer = new Model(app.config().hyperparameters());
        int width = app.config().hyperparameters().width();
        double offset = ModelKind.BIASED_MF.offset(globalMeanOfTheMeanRecords());

        try (ModelClient client = new ModelClient(kafka.bootstrapServers()).start()) {
            assertTrue(client.awaitReady(Duration.ofSeconds(30)), "client not ready: " + client.status());
            assertEquals(0, client.malformedRecords(), "mean:* and meta records are part of the contract");
            assertEquals(users.size(), client.userCount());
            assertEquals(items.size(), client.itemCount());
            assertEquals(
                    versions(users) + versions(items),
                    client.modelVersion(),
                    "model version = sum of the row versions in the trainer's stores");

            Random random = new Random(11);
            List<String> userIds = sample(new ArrayList<>(users.keySet()), 40, random);
            List<String> itemIds = sample(new ArrayList<>(items.keySet()), 40, random);
            int compared = 0;
            for (String u : userIds) {
                for (String i : itemIds) {
                    double expected = scorer.predictScore(Model.score(
                            offset, users.get(u).params(), 0, items.get(i).params(), 0, width));
                    assertEquals(expected, client.predict(u, i).score(), TOLERANCE, u + " x " + i);
                    compared++;
                }
                double unknownItem =
                        scorer.predictScore(Model.score(offset, users.get(u).params(), 0, null, -1, width));
                assertEquals(unknownItem, client.predict(u, "no-such-item").score(), TOLERANCE);
            }
            for (String i : itemIds) {
                double unknownUser = scorer.predictScore(
                        Model.score(offset, null, -1, items.get(i).params(), 0, width));
                assertEquals(unknownUser, client.predict("no-such-user", i).score(), TOLERANCE);
            }
            assertEquals(40 * 40, compared);
        }
    }

    @Test
    void shouldServeRecommendationsAndSimilarItemsOverHttpAsJson() throws Exception {
        String base = "http://127.0.0.1:" + app.http().port();
        String user = rows(Topics.USER_STORE).keySet().iterator().next();
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> recs = get(http, base + "/users/" + user + "/recommendations?k=5");
        assertEquals(200, recs.statusCode(), recs.body());
        assertJson(recs);
        JsonNode body = JSON.readTree(recs.body());
        assertEquals(5, body.get("items").size(), recs.body());
        assertTrue(body.get("userKnown").asBoolean());
        assertEquals(app.modelClient().modelVersion(), body.get("modelVersion").asLong());

        HttpResponse<String> unknown = get(http, base + "/items/no-such-item/similar");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertJson(unknown);
        assertEquals(404, JSON.readTree(unknown.body()).get("status").asInt());

        HttpResponse<String> badK = get(http, base + "/users/" + user + "/recommendations?k=abc");
        assertEquals(400, badK.statusCode(), badK.body());
        assertJson(badK);
        assertTrue(JSON.readTree(badK.body()).get("message").asText().contains("k must be"), badK.body());
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertJson(HttpResponse<String> response) {
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                response.headers().toString());
    }

    private static List<String> sample(List<String> ids, int n, Random random) {
        Collections.shuffle(ids, random);
        return ids.subList(0, Math.min(n, ids.size()));
    }
}
