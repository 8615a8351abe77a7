package io.streamrec.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Prometheus for tests: scrapes one {@code host:port} every second from a fresh TSDB in a temp directory.
 * {@link #start} skips the calling test (JUnit assumption) when no {@code prometheus} binary is found on the
 * PATH or at /usr/bin/prometheus (Debian: {@code apt-get install prometheus}).
 *
 * <pre>{@code
 * try (PrometheusServer prom = PrometheusServer.start("127.0.0.1:" + api.port())) {
 *     JsonNode v = prom.awaitResult("up", r -> r.size() > 0, Duration.ofSeconds(20));
 * }
 * }</pre>
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path dir;
    private final String base;

    private PrometheusServer(Process process, Path dir, String base) {
        this.process = process;
        this.dir = dir;
        this.base = base;
    }

    /** The prometheus binary, if installed. */
    public static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "prometheus");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        Path debian = Path.of("/usr/bin/prometheus");
        return Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty();
    }

    /** Starts Prometheus scraping {@code target} ({@code host:port}, path /metrics) every second; waits for ready. */
    public static PrometheusServer start(String target) {
        Optional<Path> bin = binary();
        ExternalTools.requireThat(bin.isPresent(), "prometheus binary not found (apt-get install prometheus)");
        try {
            Path dir = Files.createTempDirectory("streamrec-prometheus");
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: streamrec
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['%s']
                    """.formatted(target));
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process process = new ProcessBuilder(
                            bin.get().toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            PrometheusServer server = new PrometheusServer(process, dir, "http://127.0.0.1:" + port);
            server.awaitReady(Duration.ofSeconds(20));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        try {
            Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("prometheus exited: " + log());
                        }
                        try {
                            return HTTP.send(
                                                    HttpRequest.newBuilder(URI.create(base + "/-/ready"))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .statusCode()
                                    == 200;
                        } catch (IOException e) {
                            return false; // not listening yet
                        }
                    });
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException("prometheus not ready within " + timeout + ": " + log());
        }
    }

    /** Base URL, e.g. http://127.0.0.1:41234. */
    public String url() {
        return base;
    }

    /**
     * Runs an instant query and returns {@code data.result} (an array for vectors). Throws with Prometheus' error
     * message if the query does not parse.
     */
    public JsonNode query(String promql) {
        try {
            String uri = base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
            HttpResponse<String> r =
                    HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new IllegalArgumentException("query failed: " + promql + " -> " + r.body());
            }
            return body.path("data").path("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Number of series (or 1 for a scalar) that {@code promql} returns now. */
    public int querySize(String promql) {
        JsonNode result = query(promql);
        return result.isArray() ? result.size() : 1;
    }

    /** Polls {@code promql} until {@code done} accepts its result or the timeout passes; returns the last result. */
    public JsonNode awaitResult(String promql, Predicate<JsonNode> done, Duration timeout) {
        try {
            return Awaitility.await()
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> query(promql), done);
        } catch (ConditionTimeoutException e) {
            return query(promql);
        }
    }

    /** Prometheus' own log (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
