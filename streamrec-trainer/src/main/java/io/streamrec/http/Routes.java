package io.streamrec.http;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table of {@link HttpApi} and Jetty's entry point into it: one call per parsed request head, on a pool
 * thread. Refuses a declared body over {@link HttpApi#MAX_REQUEST_BODY_BYTES} (413), answers 404 for no route and
 * 405 for a method a built-in route does not take, and turns a handler's exception, or a handler that sent nothing,
 * into a JSON 500 (the trace goes to the log).
 */
final class Routes extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    /** See {@link HttpApi#route}. */
    void add(String path, RouteHandler handler) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', got '" + path + "'");
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        routes.put(p, new Route(Objects.requireNonNull(handler, "handler"), false, p.equals("/")));
    }

    /** Built-in routes match their exact path and answer GET and HEAD only. */
    void builtIn(String path, RouteHandler handler) {
        routes.put(path, new Route(handler, true, true));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        dispatch(new Exchange(request, response, callback), request.getLength());
        return true;
    }

    private void dispatch(Exchange ex, long contentLength) {
        String path = Objects.toString(ex.path(), ex.rawPath());
        String method = ex.method();
        try {
            if (contentLength > HttpApi.MAX_REQUEST_BODY_BYTES) {
                HttpApi.sendError(
                        ex,
                        413,
                        "request body of " + contentLength + " bytes is over the limit of "
                                + HttpApi.MAX_REQUEST_BODY_BYTES + "; these endpoints take no body");
                return;
            }
            Route route = find(path);
            if (route == null) {
                HttpApi.sendError(ex, 404, "no resource at " + path);
                return;
            }
            if (route.builtIn() && !method.equals("GET") && !method.equals("HEAD")) {
                ex.setHeader("Allow", "GET, HEAD");
                HttpApi.sendError(ex, 405, "method " + method + " not allowed, use GET or HEAD");
                return;
            }
            route.handler().handle(ex);
            if (!ex.sent()) {
                LOG.warn("HTTP {} {}: the handler sent no response", method, path);
                HttpApi.sendError(ex, 500, "internal error");
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("HTTP {} {} failed", method, path, e);
            if (!ex.sent()) {
                HttpApi.sendError(ex, 500, "internal error");
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

    private record Route(RouteHandler handler, boolean builtIn, boolean exact) {}
}
