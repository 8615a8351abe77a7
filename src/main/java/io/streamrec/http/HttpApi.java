package io.streamrec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The application's HTTP face, on the JDK's {@link HttpServer}.
 *
 * <ul>
 *   <li>{@code GET /metrics}: the registry in Prometheus text format 0.0.4;</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"RUNNING"}} while the Kafka Streams state is RUNNING or
 *       REBALANCING (the body names the state), else 503 with the state;</li>
 *   <li>{@code GET /}: the live page; {@code GET /api/stats}: its history JSON;</li>
 *   <li>anything added with {@link #route}; every other path is a JSON 404.</li>
 * </ul>
 *
 * <p>Errors answer JSON {@code {"error": "..."}} without stack traces; the trace goes to the log.
 */
public final class HttpApi implements AutoCloseable {
    public static final String PROMETHEUS_TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON = "application/json";
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> HEALTHY = Set.of("RUNNING", "REBALANCING");
    private static final int THREADS = 4;
    private static final int QUEUE = 64;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    private HttpApi(Builder b) throws IOException {
        server = HttpServer.create(new InetSocketAddress(b.host, b.port), 0);
        AtomicInteger n = new AtomicInteger();
        // Bounded queue: a scrape storm gets 'connection refused'-like back-pressure instead of unbounded memory.
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "streamrec-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        if (b.registry != null) {
            PrometheusMeterRegistry registry = b.registry;
            builtIn("/metrics", ex -> {
                byte[] body = registry.scrape(PROMETHEUS_TEXT_004).getBytes(StandardCharsets.UTF_8);
                send(ex, 200, PROMETHEUS_TEXT_004, body);
            });
        }
        if (b.state != null) {
            Supplier<String> state = b.state;
            builtIn("/health", ex -> {
                String s = String.valueOf(state.get());
                sendJson(ex, HEALTHY.contains(s) ? 200 : 503, Map.of("status", s));
            });
        }
        if (b.stats != null) {
            Supplier<?> stats = b.stats;
            builtIn("/api/stats", ex -> sendJson(ex, 200, stats.get()));
        }
        byte[] page = b.page ? loadPage() : null;
        if (page != null) {
            HttpHandler pageHandler = ex -> send(ex, 200, "text/html; charset=utf-8", page);
            builtIn("/", pageHandler);
            builtIn("/index.html", pageHandler);
        }
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Adds or replaces the handler for {@code path} (starting with '/'). A route matches its exact path and,
     * except for "/", every path below it: {@code route("/api/users", h)} also gets {@code /api/users/196/recs}.
     * The longest matching route wins. Handlers may use {@link #sendJson} and must send a response.
     */
    public void route(String path, HttpHandler handler) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', got '" + path + "'");
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        routes.put(p, new Route(Objects.requireNonNull(handler, "handler"), false, p.equals("/")));
    }

    /** Built-in routes match their exact path and answer GET and HEAD only. */
    private void builtIn(String path, HttpHandler handler) {
        routes.put(path, new Route(handler, true, true));
    }

    private record Route(HttpHandler handler, boolean builtIn, boolean exact) { }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void dispatch(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Route route = find(path);
            if (route == null) {
                sendJson(ex, 404, Map.of("error", "not found: " + path));
                return;
            }
            String method = ex.getRequestMethod();
            if (route.builtIn() && !method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                sendJson(ex, 405, Map.of("error", "method not allowed: " + method));
                return;
            }
            try {
                route.handler().handle(ex);
            } catch (RuntimeException | IOException e) {
                LOG.warn("HTTP {} {} failed", method, path, e);
                if (ex.getResponseCode() == -1) {
                    sendJson(ex, 500, Map.of("error", "internal error"));
                }
            }
        }
    }

    /** The exact route for {@code path}, else the longest non-exact route above it. */
    private Route find(String path) {
        String p = path;
        while (true) {
            Route r = routes.get(p);
            if (r != null && (!r.exact() || p.equals(path))) {
                return r;
            }
            int slash = p.lastIndexOf('/');
            if (slash <= 0) {
                return null;
            }
            p = p.substring(0, slash);
        }
    }

    /** Writes {@code body} as JSON with {@code status}. */
    public static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, JSON, MAPPER.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
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

    /** Settings for {@link HttpApi}; every part is optional, its routes exist only when given. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private PrometheusMeterRegistry registry;
        private Supplier<String> state;
        private Supplier<?> stats;
        private boolean page = true;

        private Builder() { }

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

        /** Binds and starts the server. */
        public HttpApi start() throws IOException {
            return new HttpApi(this);
        }
    }
}
