package io.streamrec.http;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its response as a {@link RouteHandler} sees them: the parsed request head, and a single
 * {@link #send} that writes status, headers and body at once. The write is asynchronous, so a client that does not
 * read its response holds a socket buffer, not a thread. A HEAD request gets the headers of the GET answer,
 * {@code Content-Length} included, and no body.
 */
public final class Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private boolean sent;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    /** The request method as sent, e.g. {@code GET}. */
    public String method() {
        return request.getMethod();
    }

    /** Whether this is a HEAD request (answered like GET, without body). */
    public boolean isHead() {
        return HttpMethod.HEAD.is(request.getMethod());
    }

    /** The decoded, normalized path, e.g. {@code /users/u 1/recommendations}. */
    public String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** The path as sent, still percent-encoded, e.g. {@code /users/u%201/recommendations}. */
    public String rawPath() {
        return request.getHttpURI().getPath();
    }

    /** The query string as sent, still percent-encoded, without '?'; null when there is none. */
    public String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** A request header's first value, or null. */
    public String requestHeader(String name) {
        return request.getHeaders().get(name);
    }

    /** Sets a response header; call before {@link #send}. */
    public void setHeader(String name, String value) {
        if (sent) {
            throw new IllegalStateException("response already sent, cannot set " + name);
        }
        response.getHeaders().put(name, value);
    }

    /** Whether {@link #send} was called. */
    public boolean sent() {
        return sent;
    }

    /** Sends the whole response; {@code Cache-Control: no-store}, as every answer here is live. */
    public void send(int status, String contentType, byte[] body) {
        Objects.requireNonNull(body, "body");
        if (sent) {
            throw new IllegalStateException("response already sent, cannot send " + status);
        }
        sent = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, isHead() ? null : ByteBuffer.wrap(body), callback);
    }
}
