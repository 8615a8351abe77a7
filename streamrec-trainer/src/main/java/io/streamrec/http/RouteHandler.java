package io.streamrec.http;

import java.io.IOException;

/**
 * The code behind one route of {@link HttpApi}. It runs on one of the server's pool threads, after Jetty has read
 * and parsed the whole request head, so it never waits on a slow client; it must answer with exactly one
 * {@link Exchange#send} (or {@link HttpApi#sendJson} / {@link HttpApi#sendError}). An exception it throws becomes
 * a JSON 500 without details; the stack trace goes to the log.
 */
@FunctionalInterface
public interface RouteHandler {
    void handle(Exchange exchange) throws IOException;
}
