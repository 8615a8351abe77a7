package io.streamrec.example;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.EmbeddedKafkaExtension;
import io.streamrec.kafka.KafkaTestBroker;
import io.streamrec.kafka.TestTopics;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example service on a real broker: rows written as the trainer writes them ({@link ModelUpdates}) are
 * answered, and a row published while the service runs changes its answer.
 */
@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class RecommendationServiceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An id with a quote and a non-ASCII letter: the service must escape what the contract lets through. */
    private static final String ODD_ITEM = "caf\u00e9 \"noir\"";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldAnswerFromTheTopicAndFollowRowsPublishedLater(KafkaTestBroker kafka) throws Exception {
        String topic = TestTopics.unique("model-updates");
        TestTopics.create(kafka.bootstrapServers(), TestTopics.topic(topic, 2, true));
        // Global mean 3 on a 1..5 scale; user u1 = (1, 0), so an item's score is 3 + b_i + q_i[0].
        ModelMeta meta = new ModelMeta(ModelKind.BIASED_MF, 2, 3.0, 100, 1, 5, null, 1L);
        List<Map.Entry<String, String>> rows = new ArrayList<>();
        rows.add(Map.entry(ModelKeys.META, text(ModelUpdates.meta(meta, Map.of()))));
        rows.add(row(RowKind.USER, "u1", 0f, 1f, 0f));
        rows.add(row(RowKind.ITEM, "a", 0f, 1f, 0f)); // 4.0
        rows.add(row(RowKind.ITEM, ODD_ITEM, 0.25f, 0.5f, 0f)); // 3.75
        rows.add(row(RowKind.ITEM, "b", 0f, 0f, 1f)); // 3.0
        TestTopics.writeInTransaction(kafka.bootstrapServers(), topic, rows, true);

        try (RecommendationService service = RecommendationService.start(kafka.bootstrapServers(), topic, 0)) {
            assertTrue(service.awaitReady(TIMEOUT), "the service never loaded the model");
            assertEquals(200, get(service, "/ready").statusCode());

            // commitTransaction returns before the commit marker is written: "ready" (caught up with the end offsets
            // seen at start) may come a moment before the rows are readable, so wait for them.
            await().atMost(TIMEOUT).untilAsserted(() -> {
                JsonNode top = json(get(service, "/recommendations?user=u1&k=2"));
                assertEquals("u1", top.get("user").asText());
                assertTrue(top.get("userKnown").asBoolean(), top.toString());
                assertEquals(List.of("a", ODD_ITEM), items(top));
                assertEquals(4.0, top.get("items").get(0).get("score").asDouble(), 1e-6);
                assertEquals(3.75, top.get("items").get(1).get("score").asDouble(), 1e-6);
            });

            // An unknown user gets the popularity ranking: the item with the highest bias first.
            JsonNode stranger = json(get(service, "/recommendations?user=" + encode("nobody") + "&k=1"));
            assertFalse(stranger.get("userKnown").asBoolean());
            assertEquals(List.of(ODD_ITEM), items(stranger));

            // The trainer moves item b past the others: the service answers with it without a restart.
            TestTopics.writeInTransaction(
                    kafka.bootstrapServers(), topic, List.of(row(RowKind.ITEM, "b", 0f, 2f, 0f)), true);
            await().atMost(TIMEOUT)
                    .untilAsserted(() ->
                            assertEquals(List.of("b", "a"), items(json(get(service, "/recommendations?user=u1&k=2")))));
        }
    }

    @Test
    void shouldRefuseABadKWithItsRange(KafkaTestBroker kafka) throws Exception {
        String topic = TestTopics.unique("model-updates");
        TestTopics.create(kafka.bootstrapServers(), TestTopics.topic(topic, 1, true));
        try (RecommendationService service = RecommendationService.start(kafka.bootstrapServers(), topic, 0)) {
            assertTrue(service.awaitReady(TIMEOUT), "the service never loaded the (empty) model");
            HttpResponse<String> bad = get(service, "/recommendations?user=u1&k=abc");
            assertEquals(400, bad.statusCode());
            assertEquals(
                    "k must be an integer from 1 to 1000, got 'abc'",
                    JSON.readTree(bad.body()).get("error").asText());
            assertEquals(400, get(service, "/recommendations?k=3").statusCode());
        }
    }

    private static Map.Entry<String, String> row(RowKind kind, String id, float... params) {
        return Map.entry(ModelKeys.row(kind, id), text(ModelUpdates.row(kind, id, params, 0, params.length, 1, 1, 1L)));
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(RecommendationService service, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static List<String> items(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("items").forEach(item -> ids.add(item.get("item").asText()));
        return ids;
    }
}
