package io.streamrec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's HTTP face, on an embedded Jetty 12 (core API, no servlets).
 *
 * <ul>
 *   <li>{@code GET /metrics}: the registry in Prometheus text format 0.0.4;</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"RUNNING"}} while the Kafka Streams state is RUNNING or
 *       REBALANCING (the body names the state), else 503 with the state; kept for existing probes;</li>
 *   <li>{@code GET /health/live}: 200 while the process and its stream threads are alive, else 503 (restart
 *       it), with the reason;</li>
 *   <li>{@code GET /health/ready}: 200 when the instance should take traffic, else 503, with the reason;</li>
 *   <li>{@code GET /}: the live page; {@code GET /api/stats}: its history JSON;</li>
 *   <li>anything added with {@link #route}; every other path is a JSON 404.</li>
 * </ul>
 *
 * <p>Why Jetty rather than the JDK's {@code HttpServer}: the JDK server reads request heads on its worker threads,
 * so a few clients that send half a request (or a TLS handshake to the plain port) hold every thread and even
 * {@code /health} waits. Jetty reads and parses on its selector without a thread per connection and hands a route
 * a complete request head, so stalled clients cost a socket each, not a thread. On top of that:
 * <ul>
 *   <li>request line plus headers at most {@value #MAX_REQUEST_HEAD_BYTES} bytes: a longer URI gets 414, longer
 *       headers 431 (Jetty's parser);</li>
 *   <li>a declared request body over {@value #MAX_REQUEST_BODY_BYTES} bytes gets 413 (every endpoint is GET and
 *       none reads a body);</li>
 *   <li>a connection is closed after {@link #IDLE_TIMEOUT} without traffic, and one that has not delivered its
 *       first complete request head within {@link #HEAD_DEADLINE} is closed even if it trickles bytes;</li>
 *   <li>a bounded pool of {@value #MAX_THREADS} threads, which only complete request heads ever reach;</li>
 *   <li>responses are written asynchronously, so a client that does not read holds no thread either.</li>
 * </ul>
 *
 * <p>Every error status, the server's own included, answers the JSON {@link ErrorBody}
 * {@code {"status":404,"error":"Not Found","message":"..."}} without stack traces; the trace goes to the log.
 * HEAD is answered on every GET route with the GET headers and no body.
 */
public final class HttpApi implements AutoCloseable {
    public static final String PROMETHEUS_TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON = "application/json";
    /** Request line plus headers; Jetty answers 414 when the request line alone passes it, else 431. */
    static final int MAX_REQUEST_HEAD_BYTES = 8 * 1024;
    /** No endpoint takes a body; a larger declared one is refused with 413 before routing. */
    static final int MAX_REQUEST_BODY_BYTES = 16 * 1024;

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HEAD_DEADLINE = Duration.ofSeconds(10);
    static final int MAX_THREADS = 16;
    private static final int MIN_THREADS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> HEALTHY = Set.of("RUNNING", "REBALANCING");

    private final Server server;
    private final ServerConnector connector;
    private final Routes routes = new Routes();

    private HttpApi(Builder b) throws IOException {
        // Jetty's default queue is unbounded, and Jetty warns against bounding it: its own selector and
        // accept tasks go through it too. What bounds the work is that only complete requests reach the pool.
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        pool.setName("streamrec-http");
        // As before with the JDK server: HTTP alone does not keep the JVM alive.
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(MAX_REQUEST_HEAD_BYTES);
        config.setSendServerVersion(false);
        // Ids are free-form Kafka keys: '/' and '%' in one arrive as %2F and %25, which Jetty's default rejects
        // as ambiguous. The recommendation routes match the raw path and decode the id themselves, as before.
        config.setUriCompliance(UriCompliance.DEFAULT.with(
                "streamrec",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        // One acceptor and one selector are plenty for a metrics and lookup endpoint on a small machine.
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        connector.addEventListener(new HeadDeadline(connector, b.headDeadline));
        server.addConnector(connector);
        server.setHandler(routes);
        server.setErrorHandler(new JsonErrorHandler());

        if (b.registry != null) {
            PrometheusMeterRegistry registry = b.registry;
            routes.builtIn(
                    "/metrics",
                    ex -> ex.send(
                            200,
                            PROMETHEUS_TEXT_004,
                            registry.scrape(PROMETHEUS_TEXT_004).getBytes(StandardCharsets.UTF_8)));
        }
        if (b.state != null) {
            Supplier<String> state = b.state;
            routes.builtIn("/health", ex -> {
                String s = String.valueOf(state.get());
                sendJson(ex, HEALTHY.contains(s) ? 200 : 503, Map.of("status", s));
            });
        }
        probe("/health/live", b.liveness);
        probe("/health/ready", b.readiness);
        if (b.stats != null) {
            Supplier<?> stats = b.stats;
            routes.builtIn("/api/stats", ex -> sendJson(ex, 200, stats.get()));
        }
        byte[] page = b.page ? loadPage() : null;
        if (page != null) {
            RouteHandler pageHandler = ex -> ex.send(200, "text/html; charset=utf-8", page);
            routes.builtIn("/", pageHandler);
            routes.builtIn("/index.html", pageHandler);
        }
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("HTTP server did not start on " + b.host + ":" + b.port + ": " + e, e);
        }
    }

    /** Serves {@code path} from {@code probe} when given: 200 when it passes, else 503, its body as JSON. */
    private void probe(String path, Supplier<Probe> probe) {
        if (probe != null) {
            routes.builtIn(path, ex -> {
                Probe p = probe.get();
                sendJson(ex, p.ok() ? 200 : 503, p.body());
            });
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Adds or replaces the handler for {@code path} (starting with '/'). A route matches its exact path and,
     * except for "/", every path below it: {@code route("/api/users", h)} also gets {@code /api/users/196/recs}.
     * The longest matching route wins. Paths are matched decoded. Handlers decide which methods they answer,
     * and must send exactly one response (see {@link RouteHandler}).
     */
    public void route(String path, RouteHandler handler) {
        routes.add(path, handler);
    }

    @Override
    public void close() {
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
    }

    /** Writes {@code body} as JSON with {@code status}. */
    public static void sendJson(Exchange ex, int status, Object body) throws IOException {
        ex.send(status, JSON, MAPPER.writeValueAsBytes(body));
    }

    /** Writes the {@link ErrorBody} for {@code status}; {@code message} goes to the client as it is. */
    public static void sendError(Exchange ex, int status, String message) {
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(ErrorBody.of(status, message));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a record of a String and an int always serializes
        }
        ex.send(status, JSON, body);
    }

    private static byte[] loadPage() {
        try (InputStream in = HttpApi.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("live page resource io/streamrec/http/index.html is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A verdict for a probe endpoint: whether it passes, and the JSON body that says why. */
    public record Probe(boolean ok, Object body) {}

    /** Settings for {@link HttpApi}; every part is optional, its routes exist only when given. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private PrometheusMeterRegistry registry;
        private Supplier<String> state;
        private Supplier<Probe> liveness;
        private Supplier<Probe> readiness;
        private Supplier<?> stats;
        private boolean page = true;
        private Duration idleTimeout = IDLE_TIMEOUT;
        private Duration headDeadline = HEAD_DEADLINE;

        private Builder() {}

        /** Address to bind ("0.0.0.0" for all, "127.0.0.1" for loopback) and port (0 = ephemeral). */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("HTTP port must be 0..65535, got " + port);
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** Serves {@code /metrics} from this registry. */
        public Builder metrics(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Serves {@code /health} from this state name, e.g. {@code () -> streams.state().name()}. */
        public Builder health(Supplier<String> state) {
            this.state = state;
            return this;
        }

        /**
         * Serves {@code /health/live}: 200 when the probe is ok, else 503, with the probe's body as JSON. A failing
         * liveness probe means restart the process: it should fail only for what a restart cures.
         */
        public Builder liveness(Supplier<Probe> liveness) {
            this.liveness = liveness;
            return this;
        }

        /**
         * Serves {@code /health/ready}: 200 when the probe is ok, else 503, with the probe's body as JSON. Unlike
         * {@code /health} (is the process alive), it says whether the instance should take traffic now.
         */
        public Builder readiness(Supplier<Probe> readiness) {
            this.readiness = readiness;
            return this;
        }

        /** Serves {@code /api/stats} as the JSON of what this returns, e.g. {@code history::view}. */
        public Builder stats(Supplier<?> stats) {
            this.stats = stats;
            return this;
        }

        /** Whether to serve the live page at {@code /} (default true). */
        public Builder livePage(boolean page) {
            this.page = page;
            return this;
        }

        /** Shorter timeouts for tests: idle connections and the deadline for a first complete request head. */
        Builder timeouts(Duration idle, Duration headDeadline) {
            if (idle.isNegative() || idle.isZero() || headDeadline.isNegative() || headDeadline.isZero()) {
                throw new IllegalArgumentException(
                        "timeouts must be positive, got idle " + idle + " and head deadline " + headDeadline);
            }
            this.idleTimeout = idle;
            this.headDeadline = headDeadline;
            return this;
        }

        /** Binds and starts the server. */
        public HttpApi start() throws IOException {
            return new HttpApi(this);
        }
    }
}
