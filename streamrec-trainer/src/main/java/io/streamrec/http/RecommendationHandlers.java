package io.streamrec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.model.Prediction;
import io.streamrec.model.Recommender;
import io.streamrec.model.ScoredItem;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON endpoints over a {@link Recommender} (normally a {@link io.streamrec.client.ModelClient}):
 * <ul>
 *   <li>{@code GET /users/{id}/recommendations?k=10&exclude=a,b}: top-k items for a user; an unknown user gets
 *       the items with the highest bias ({@code "userKnown": false}).</li>
 *   <li>{@code GET /predict?user=..&item=..}: one prediction; 404 for an unknown item, the item-popularity
 *       fallback for an unknown user.</li>
 *   <li>{@code GET /items/{id}/similar?k=10}: items by cosine similarity of their factors; 404 for an unknown item.</li>
 * </ul>
 * HEAD answers like GET without the body. Errors are the JSON {@link ErrorBody}
 * {@code {"status":400,"error":"Bad Request","message":"..."}}: 400 for bad parameters ({@code k} not an integer
 * in 1..{@value #MAX_K}, missing {@code user} or {@code item}, malformed percent-encoding), 404 for unknown items
 * or paths, 405 for methods other than GET and HEAD, 503 until the model is loaded, 500 without details (logged)
 * for anything unexpected. Paths are matched on their end, so the handlers work under any mount prefix.
 *
 * <p>Register with {@link #registerWith(BiConsumer)}, e.g. {@code handlers.registerWith(api::route)}: contexts
 * {@code /users/}, {@code /predict} and {@code /items/}.
 */
public final class RecommendationHandlers {
    public static final int DEFAULT_K = 10;
    public static final int MAX_K = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(RecommendationHandlers.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RECOMMENDATIONS = Pattern.compile(".*/users/([^/]+)/recommendations/?");
    private static final Pattern SIMILAR = Pattern.compile(".*/items/([^/]+)/similar/?");
    private static final Pattern PREDICT = Pattern.compile("(.*/)?predict/?");

    private final Recommender model;

    public RecommendationHandlers(Recommender model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Registers the three handlers: {@code route.accept("/users/", ...)}, {@code "/predict"}, {@code "/items/"}. */
    public void registerWith(BiConsumer<String, RouteHandler> route) {
        route.accept("/users/", recommendations());
        route.accept("/predict", predict());
        route.accept("/items/", similarItems());
    }

    /** {@code GET /users/{id}/recommendations?k=10&exclude=a,b}. */
    public RouteHandler recommendations() {
        return exchange -> handle(exchange, RECOMMENDATIONS, (user, query) -> {
            int k = parseK(query);
            Set<String> exclude = parseList(query.get("exclude"));
            List<ScoredItem> items = model.recommend(user, k, exclude);
            ObjectNode body = JSON.createObjectNode();
            body.put("user", user);
            body.put("userKnown", model.hasUser(user));
            body.put("k", k);
            body.put("modelVersion", model.modelVersion());
            putItems(body, items);
            return new Response(200, body);
        });
    }

    /** {@code GET /predict?user=..&item=..}. */
    public RouteHandler predict() {
        return exchange -> handle(exchange, PREDICT, (ignored, query) -> {
            String user = required(query, "user");
            String item = required(query, "item");
            Prediction p = model.predict(user, item);
            if (!p.itemKnown()) {
                return error(404, "unknown item '" + item + "'");
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("user", user);
            body.put("item", item);
            body.put("score", p.score());
            body.put("userKnown", p.userKnown());
            body.put("modelVersion", model.modelVersion());
            return new Response(200, body);
        });
    }

    /** {@code GET /items/{id}/similar?k=10}. */
    public RouteHandler similarItems() {
        return exchange -> handle(exchange, SIMILAR, (item, query) -> {
            int k = parseK(query);
            Optional<List<ScoredItem>> similar = model.similarItems(item, k);
            if (similar.isEmpty()) {
                return error(404, "unknown item '" + item + "'");
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("item", item);
            body.put("k", k);
            body.put("modelVersion", model.modelVersion());
            putItems(body, similar.get());
            return new Response(200, body);
        });
    }

    private interface Endpoint {
        /** {@code id} is the decoded path id (null when the path has none). */
        Response answer(String id, Map<String, String> query) throws BadRequest;
    }

    private record Response(int status, Object body) {}

    /** A client error; the message goes to the client. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private void handle(Exchange exchange, Pattern path, Endpoint endpoint) throws IOException {
        Response response;
        try {
            response = dispatch(exchange, path, endpoint);
        } catch (BadRequest e) {
            response = error(400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed: {}", exchange.method(), exchange.rawPath(), e.toString());
            response = error(500, "internal error");
        }
        exchange.send(response.status(), "application/json; charset=utf-8", JSON.writeValueAsBytes(response.body()));
    }

    private Response dispatch(Exchange exchange, Pattern path, Endpoint endpoint) throws BadRequest {
        if (!"GET".equals(exchange.method()) && !exchange.isHead()) {
            exchange.setHeader("Allow", "GET, HEAD");
            return error(405, "method " + exchange.method() + " not allowed, use GET or HEAD");
        }
        Matcher m = path.matcher(exchange.rawPath());
        if (!m.matches()) {
            return error(404, "no resource at " + exchange.rawPath());
        }
        if (!model.isReady() || model.meta().isEmpty()) {
            exchange.setHeader("Retry-After", "1");
            return error(503, "model not loaded yet");
        }
        // In a path '+' is a plus sign, not an encoded space.
        String id = path != PREDICT ? decode(m.group(1).replace("+", "%2B")) : null;
        return endpoint.answer(id, parseQuery(exchange.rawQuery()));
    }

    private static void putItems(ObjectNode body, List<ScoredItem> items) {
        ArrayNode array = body.putArray("items");
        for (ScoredItem s : items) {
            array.addObject().put("item", s.item()).put("score", s.score());
        }
    }

    private static Response error(int status, String message) {
        return new Response(status, ErrorBody.of(status, message));
    }

    private static int parseK(Map<String, String> query) throws BadRequest {
        String raw = query.get("k");
        if (raw == null) {
            return DEFAULT_K;
        }
        int k;
        try {
            k = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest("k must be a positive integer <= " + MAX_K + ", got '" + raw + "'");
        }
        if (k < 1 || k > MAX_K) {
            throw new BadRequest("k must be a positive integer <= " + MAX_K + ", got " + k);
        }
        return k;
    }

    private static String required(Map<String, String> query, String name) throws BadRequest {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            throw new BadRequest("query parameter '" + name + "' is required");
        }
        return value;
    }

    private static Set<String> parseList(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String id = part.trim();
            if (!id.isEmpty()) {
                out.add(id);
            }
        }
        return out;
    }

    /** Decodes {@code a=1&b=2}; a repeated name keeps its last value. */
    private static Map<String, String> parseQuery(String raw) throws BadRequest {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.put(name, value);
        }
        return out;
    }

    private static String decode(String s) throws BadRequest {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("malformed percent-encoding in '" + s + "'");
        }
    }
}
