package io.streamrec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRow;
import io.streamrec.model.ModelStore;
import io.streamrec.model.ModelUpdate;
import io.streamrec.model.RowKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every error status, whether a route or the server itself produces it, answers the one JSON shape that
 * docs/client.md promises; HEAD works on every GET route. Raw sockets, so that requests no well-behaved client
 * sends (a 1 MB URI, {@code %zz}, a TLS handshake) reach the server as they are.
 */
class HttpErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpApi api;

    @BeforeEach
    void start() throws Exception {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(new ModelMeta(ModelKind.BIASED_MF, 2, 3.0, 10, 1.0, 5.0, null, 0)));
        store.upsert(new ModelRow(RowKind.USER, "u1", 0.5f, new float[] {1f, 0f}, 3, 1, 0, 0));
        store.upsert(new ModelRow(RowKind.ITEM, "a", 0.1f, new float[] {1f, 0f}, 2, 1, 0, 0));
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .health(() -> "RUNNING")
                .stats(() -> Map.of("points", List.of()))
                .start();
        new RecommendationHandlers(new RecommendationHandlersTest.StoreRecommender(store)).registerWith(api::route);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private RawHttp.Reply send(String request) throws Exception {
        return RawHttp.exchange(api.port(), request);
    }

    /** Asserts the status and the error body {"status":..,"error":"<reason>","message":"..."}, nothing else. */
    private static JsonNode assertJsonError(RawHttp.Reply reply, int status, String reason) throws Exception {
        assertEquals(status, reply.status(), reply.body());
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        JsonNode body = JSON.readTree(reply.body());
        assertEquals(List.of("status", "error", "message"), fieldNames(body), reply.body());
        assertEquals(status, body.get("status").asInt());
        assertEquals(reason, body.get("error").asText());
        assertFalse(body.get("message").asText().isBlank(), reply.body());
        assertFalse(reply.body().contains("Exception") || reply.body().contains("<html"), reply.body());
        return body;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void shouldAnswer414InJsonForAOneMegabyteQueryString() throws Exception {
        RawHttp.Reply reply = send(RawHttp.get("/health?q=" + "a".repeat(1 << 20)));
        JsonNode body = assertJsonError(reply, 414, "URI Too Long");
        assertEquals(
                "request line over " + HttpApi.MAX_REQUEST_HEAD_BYTES + " bytes",
                body.get("message").asText());
    }

    @Test
    void shouldAnswer431InJsonForHeadersOverTheLimit() throws Exception {
        RawHttp.Reply reply = send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(16 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        JsonNode body = assertJsonError(reply, 431, "Request Header Fields Too Large");
        assertTrue(body.get("message").asText().contains(String.valueOf(HttpApi.MAX_REQUEST_HEAD_BYTES)), reply.body());
    }

    @Test
    void shouldAnswer413InJsonForADeclaredBodyOverTheLimit() throws Exception {
        RawHttp.Reply reply = send("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 10000000\r\nConnection: close\r\n\r\nsome of the body");
        JsonNode body = assertJsonError(reply, 413, "Content Too Large");
        assertTrue(body.get("message").asText().contains("10000000"), reply.body());
    }

    @Test
    void shouldAnswer400InJsonForMalformedPercentEncoding() throws Exception {
        JsonNode query = assertJsonError(send(RawHttp.get("/predict?user=%zz&item=a")), 400, "Bad Request");
        assertTrue(query.get("message").asText().contains("percent-encoding"), query.toString());
        // In the path Jetty rejects it before any route runs; the body has the same shape.
        JsonNode path = assertJsonError(send(RawHttp.get("/users/%zz/recommendations")), 400, "Bad Request");
        assertTrue(path.get("message").asText().contains("percent-encoding"), path.toString());
    }

    @Test
    void shouldAnswer400InJsonToATlsHandshakeOnThePlainPort() throws Exception {
        JsonNode body = assertJsonError(
                RawHttp.exchange(api.port(), SlowClientsTest.TLS_CLIENT_HELLO_START), 400, "Bad Request");
        assertTrue(body.get("message").asText().contains("Illegal character"), body.toString());
    }

    @Test
    void shouldAnswer404InJsonForUnknownPaths() throws Exception {
        for (String path : List.of("/nope", "/health/more", "/users/u1/whatever")) {
            JsonNode body = assertJsonError(send(RawHttp.get(path)), 404, "Not Found");
            assertEquals("no resource at " + path, body.get("message").asText());
        }
    }

    @Test
    void shouldAnswer405InJsonWithAllowForOtherMethods() throws Exception {
        for (String path : List.of("/health", "/metrics", "/predict?user=u1&item=a")) {
            RawHttp.Reply reply = send("DELETE " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertJsonError(reply, 405, "Method Not Allowed");
            assertEquals("GET, HEAD", reply.header("Allow"), path);
        }
    }

    @Test
    void shouldAnswerHeadOnEveryGetRouteWithTheGetHeadersAndNoBody() throws Exception {
        for (String path : List.of(
                "/health",
                "/metrics",
                "/api/stats",
                "/",
                "/predict?user=u1&item=a",
                "/users/u1/recommendations?k=1",
                "/items/a/similar")) {
            RawHttp.Reply get = send(RawHttp.get(path));
            RawHttp.Reply head = send("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertEquals(200, get.status(), path);
            assertEquals(200, head.status(), path);
            assertEquals("", head.body(), path);
            assertEquals(get.header("Content-Type"), head.header("Content-Type"), path);
            assertEquals(
                    String.valueOf(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                    head.header("Content-Length"),
                    path);
        }
        RawHttp.Reply missing = send("HEAD /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertEquals(404, missing.status());
        assertEquals("", missing.body());
    }
}
