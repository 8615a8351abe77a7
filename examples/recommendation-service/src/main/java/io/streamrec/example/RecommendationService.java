package io.streamrec.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamrec.client.ModelClient;
import io.streamrec.model.ScoredItem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A downstream service as a team would write it: it holds the live model with {@link ModelClient} (which follows
 * the compacted {@code model-updates} topic the trainer publishes) and answers recommendations over HTTP. It
 * depends on the {@code streamrec-client} artifact alone; the JDK's own HTTP server keeps the example free of a web
 * framework.
 *
 * <ul>
 *   <li>{@code GET /recommendations?user=196&k=10}: {@code 200 {"user":"196","userKnown":true,"modelVersion":412,
 *       "items":[{"item":"318","score":4.61},...]}}, best first; {@code k} defaults to 10 (1 to 1000);</li>
 *   <li>{@code GET /ready}: 200 once the client has read the whole topic, 503 before.</li>
 * </ul>
 *
 * <p>Every answer before the model is loaded is 503: a partial model would rank from whatever rows came first.
 *
 * <pre>
 * java -cp ... io.streamrec.example.RecommendationService localhost:9092 8090
 * </pre>
 */
public final class RecommendationService implements AutoCloseable {
    /** Largest {@code k} a request may ask for, as the trainer's own HTTP API. */
    public static final int MAX_K = 1000;

    private final ModelClient model;
    private final HttpServer server;

    private RecommendationService(ModelClient model, HttpServer server) {
        this.model = model;
        this.server = server;
    }

    /**
     * Starts following {@code topic} at {@code bootstrapServers} and serves on {@code port} (0 for a free port) of
     * the loopback interface.
     */
    public static RecommendationService start(String bootstrapServers, String topic, int port) throws IOException {
        ModelClient model = new ModelClient(bootstrapServers, topic, Map.of()).start();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            RecommendationService service = new RecommendationService(model, server);
            server.createContext("/recommendations", service::recommendations);
            server.createContext("/ready", service::ready);
            server.start();
            return service;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The port the service listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Waits until the whole topic has been read once, or the client failed, or {@code timeout} passed. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return model.awaitReady(timeout);
    }

    @Override
    public void close() {
        server.stop(0);
        model.close();
    }

    private void ready(HttpExchange exchange) throws IOException {
        if (model.isReady()) {
            send(exchange, 200, "{\"ready\":true,\"modelVersion\":" + model.modelVersion() + "}");
        } else {
            send(exchange, 503, "{\"ready\":false,\"status\":\"" + model.status() + "\"}");
        }
    }

    private void recommendations(HttpExchange exchange) throws IOException {
        if (!model.isReady()) {
            send(exchange, 503, error("model not loaded yet (" + model.status() + ")"));
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String user = query.get("user");
        if (user == null || user.isEmpty()) {
            send(exchange, 400, error("user is required, e.g. /recommendations?user=196&k=10"));
            return;
        }
        String kText = query.getOrDefault("k", "10");
        int k;
        try {
            k = Integer.parseInt(kText);
        } catch (NumberFormatException e) {
            k = -1;
        }
        if (k < 1 || k > MAX_K) {
            send(exchange, 400, error("k must be an integer from 1 to " + MAX_K + ", got '" + kText + "'"));
            return;
        }
        List<ScoredItem> items = model.recommend(user, k, Set.of());
        StringBuilder json = new StringBuilder("{\"user\":")
                .append(quote(user))
                .append(",\"userKnown\":")
                .append(model.hasUser(user))
                .append(",\"modelVersion\":")
                .append(model.modelVersion())
                .append(",\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            ScoredItem item = items.get(i);
            json.append(i == 0 ? "" : ",")
                    .append("{\"item\":")
                    .append(quote(item.item()))
                    .append(",\"score\":")
                    .append(item.score())
                    .append('}');
        }
        send(exchange, 200, json.append("]}").toString());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(
                    URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static String error(String message) {
        return "{\"error\":" + quote(message) + "}";
    }

    /** A JSON string literal: ids are free text (docs/contracts.md), so quotes and control characters are escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** {@code RecommendationService BOOTSTRAP_SERVERS [PORT [TOPIC]]}; stops on SIGTERM or Ctrl-C. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: RecommendationService BOOTSTRAP_SERVERS [PORT [TOPIC]]");
            System.exit(2);
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        String topic = args.length > 2 ? args[2] : ModelClient.DEFAULT_TOPIC;
        RecommendationService service = start(args[0], topic, port);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "shutdown"));
        System.err.println("serving on http://127.0.0.1:" + service.port() + "/recommendations?user=...&k=10");
    }
}
