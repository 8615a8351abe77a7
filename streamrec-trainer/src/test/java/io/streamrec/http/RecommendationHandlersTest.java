package io.streamrec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRow;
import io.streamrec.model.ModelStore;
import io.streamrec.model.ModelUpdate;
import io.streamrec.model.Prediction;
import io.streamrec.model.Recommender;
import io.streamrec.model.RowKind;
import io.streamrec.model.ScoredItem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecommendationHandlersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelStore store = new ModelStore();
    private final StoreRecommender model = new StoreRecommender(store);
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpApi server;
    private String base;

    /** The store behind a readiness switch, as ModelClient would present it. */
    static final class StoreRecommender implements Recommender {
        final ModelStore store;
        volatile boolean ready = true;

        StoreRecommender(ModelStore store) {
            this.store = store;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public Optional<ModelMeta> meta() {
            return store.meta();
        }

        @Override
        public Prediction predict(String user, String item) {
            return store.predict(user, item);
        }

        @Override
        public List<ScoredItem> recommend(String user, int k, Set<String> exclude) {
            return store.recommend(user, k, exclude);
        }

        @Override
        public Optional<List<ScoredItem>> similarItems(String item, int k) {
            return store.similarItems(item, k);
        }

        @Override
        public long modelVersion() {
            return store.modelVersion();
        }

        @Override
        public boolean hasUser(String user) {
            return store.hasUser(user);
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        store.apply(new ModelUpdate.Meta(new ModelMeta(ModelKind.BIASED_MF, 2, 3.0, 10, 1.0, 5.0, null, 0)));
        store.upsert(new ModelRow(RowKind.USER, "u 1", 0.5f, new float[] {1f, 0f}, 3, 1, 0, 0));
        store.upsert(new ModelRow(RowKind.ITEM, "a", 0.1f, new float[] {1f, 0f}, 2, 1, 0, 0));
        store.upsert(new ModelRow(RowKind.ITEM, "b", 0.2f, new float[] {0.5f, 0.5f}, 2, 1, 0, 0));
        store.upsert(new ModelRow(RowKind.ITEM, "c+d", 0.9f, new float[] {-1f, 0f}, 2, 1, 0, 0));
        server = HttpApi.builder().bind("127.0.0.1", 0).livePage(false).start();
        new RecommendationHandlers(model).registerWith(server::route);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws IOException {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @Test
    void shouldReturnRecommendationsBestFirstWithoutExcludedItems() throws Exception {
        HttpResponse<String> response = get("/users/u%201/recommendations?k=2&exclude=b");
        assertEquals(200, response.statusCode());
        JsonNode body = json(response);
        assertEquals("u 1", body.get("user").asText());
        assertTrue(body.get("userKnown").asBoolean());
        assertEquals(9, body.get("modelVersion").asLong());
        assertEquals(2, body.get("items").size());
        assertEquals("a", body.get("items").get(0).get("item").asText());
        assertEquals(4.6, body.get("items").get(0).get("score").asDouble(), 1e-6);
        assertEquals("c+d", body.get("items").get(1).get("item").asText());
    }

    @Test
    void shouldRankByPopularityForAnUnknownUser() throws Exception {
        JsonNode body = json(get("/users/nobody/recommendations"));
        assertFalse(body.get("userKnown").asBoolean());
        assertEquals(10, body.get("k").asInt());
        assertEquals("c+d", body.get("items").get(0).get("item").asText());
    }

    @Test
    void shouldPredictAKnownPair() throws Exception {
        HttpResponse<String> response = get("/predict?user=u+1&item=b");
        assertEquals(200, response.statusCode());
        assertEquals(3.0 + 0.5 + 0.2 + 0.5, json(response).get("score").asDouble(), 1e-6);
    }

    @Test
    void shouldAnswer404ForAnUnknownItem() throws Exception {
        HttpResponse<String> predict = get("/predict?user=u+1&item=zzz");
        assertEquals(404, predict.statusCode());
        assertEquals("unknown item 'zzz'", json(predict).get("message").asText());
        assertEquals(404, get("/items/zzz/similar").statusCode());
        assertEquals(404, json(get("/users/u1/whatever")).get("status").asInt());
    }

    @Test
    void shouldReturnSimilarItemsWithoutTheItemItself() throws Exception {
        JsonNode body = json(get("/items/c+d/similar?k=5"));
        assertEquals(2, body.get("items").size());
        assertEquals("b", body.get("items").get(0).get("item").asText());
        assertEquals(-Math.sqrt(0.5), body.get("items").get(0).get("score").asDouble(), 1e-6);
    }

    @Test
    void shouldAcceptIdsWithEncodedSlashAndPercent() throws Exception {
        store.upsert(new ModelRow(RowKind.ITEM, "e/f", 0.3f, new float[] {0f, 1f}, 2, 1, 0, 0));
        store.upsert(new ModelRow(RowKind.ITEM, "50%", 0.4f, new float[] {0f, -1f}, 2, 1, 0, 0));
        HttpResponse<String> slash = get("/items/e%2Ff/similar?k=1");
        assertEquals(200, slash.statusCode(), slash.body());
        assertEquals("e/f", json(slash).get("item").asText());
        HttpResponse<String> percent = get("/items/50%25/similar?k=1");
        assertEquals(200, percent.statusCode(), percent.body());
        assertEquals("50%", json(percent).get("item").asText());
    }

    @Test
    void shouldAnswer400WithAMessageForBadParameters() throws Exception {
        for (String path : List.of(
                "/users/u1/recommendations?k=0",
                "/users/u1/recommendations?k=1001",
                "/users/u1/recommendations?k=ten",
                "/items/a/similar?k=-3",
                "/predict?item=a",
                "/predict?user=u1",
                "/predict?user=&item=a")) {
            HttpResponse<String> response = get(path);
            assertEquals(400, response.statusCode(), path);
            JsonNode body = json(response);
            assertEquals(400, body.get("status").asInt());
            assertFalse(body.get("message").asText().isEmpty());
            assertFalse(response.body().contains("Exception"), response.body());
        }
        assertTrue(json(get("/users/u1/recommendations?k=0"))
                .get("message")
                .asText()
                .contains("k must be"));
        assertTrue(json(get("/predict?item=a")).get("message").asText().contains("'user'"));
    }

    @Test
    void shouldAnswer503UntilTheModelIsReady() throws Exception {
        model.ready = false;
        for (String path : List.of("/users/u1/recommendations", "/predict?user=u1&item=a", "/items/a/similar")) {
            HttpResponse<String> response = get(path);
            assertEquals(503, response.statusCode(), path);
            assertEquals("model not loaded yet", json(response).get("message").asText());
        }
    }

    @Test
    void shouldAnswer405ForOtherMethods() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/predict?user=u&item=a"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(""));
        JsonNode body = json(response);
        assertEquals(405, body.get("status").asInt());
        assertEquals("Method Not Allowed", body.get("error").asText());
        assertTrue(body.get("message").asText().contains("POST"), response.body());
    }
}
