package io.streamrec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.metrics.StatsHistory;
import io.streamrec.metrics.TrainerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicReference<String> state = new AtomicReference<>("RUNNING");
    private PrometheusMeterRegistry registry;
    private TrainerMetrics metrics;
    private StatsHistory history;
    private HttpApi api;

    @BeforeEach
    void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new TrainerMetrics();
        metrics.bindTo(registry);
        history = new StatsHistory(metrics);
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .metrics(registry)
                .health(state::get)
                .stats(history::view)
                .start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeMetricsInPrometheusTextFormat() throws Exception {
        metrics.eventTrained();
        metrics.flushed("user", 10, 1_000_000, 0.5, 0.01);
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals(
                "text/plain; version=0.0.4; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("streamrec_events_total{outcome=\"trained\"} 1.0"), r.body());
        assertTrue(r.body().contains("# TYPE streamrec_flush_seconds histogram"));
        assertTrue(r.body().contains("streamrec_prequential_squared_error_total"));
    }

    @Test
    void shouldAnswerHealthyWhileRunningOrRebalancing() throws Exception {
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("{\"status\":\"RUNNING\"}", r.body());
        state.set("REBALANCING");
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void shouldAnswer503WithTheStateWhenNotRunning() throws Exception {
        state.set("ERROR");
        HttpResponse<String> r = get("/health");
        assertEquals(503, r.statusCode());
        assertEquals("ERROR", JSON.readTree(r.body()).get("status").asText());
    }

    @Test
    void shouldServeTheLivePageAtRoot() throws Exception {
        HttpResponse<String> r = get("/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("<svg id=\"c-learning\""));
        assertFalse(r.body().contains("http://") && r.body().contains("<script src"), "no external assets");
    }

    @Test
    void shouldServeHistoryAsJsonWithNullsForUndefinedFigures() throws Exception {
        history.sample();
        metrics.prequential(4, 3);
        metrics.eventTrained();
        history.sample();
        HttpResponse<String> r = get("/api/stats");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(2, body.get("points").size());
        assertTrue(body.get("points").get(0).get("rmse").isNull());
        assertEquals(1.0, body.get("points").get(1).get("rmse").asDouble());
        assertEquals(2000, body.get("intervalMs").asLong());
    }

    @Test
    void shouldAnswerUnknownPathsWithJson404() throws Exception {
        for (String path : new String[] {"/nope", "/metricsx", "/api/stats/more"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            JsonNode body = JSON.readTree(r.body());
            assertEquals(404, body.get("status").asInt());
            assertEquals("Not Found", body.get("error").asText());
            assertEquals("no resource at " + path, body.get("message").asText());
        }
    }

    @Test
    void shouldRouteAddedHandlersIncludingSubpaths() throws Exception {
        api.route("/api/users", ex -> HttpApi.sendJson(ex, 200, Map.of("path", ex.path())));
        assertEquals(
                "/api/users/196/recommendations",
                JSON.readTree(get("/api/users/196/recommendations").body())
                        .get("path")
                        .asText());
        assertEquals(200, get("/api/users").statusCode());
    }

    @Test
    void shouldHideExceptionsBehindA500WithoutStackTrace() throws Exception {
        api.route("/boom", ex -> {
            throw new IllegalStateException("secret internals");
        });
        HttpResponse<String> r = get("/boom");
        assertEquals(500, r.statusCode());
        assertFalse(r.body().contains("secret") || r.body().contains("at io.streamrec"), r.body());
        assertEquals("{\"status\":500,\"error\":\"Internal Server Error\",\"message\":\"internal error\"}", r.body());
    }
}
