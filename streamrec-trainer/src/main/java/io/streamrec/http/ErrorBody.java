package io.streamrec.http;

import org.eclipse.jetty.http.HttpStatus;

/**
 * The one JSON shape of every error response, whoever produces it (a route, the router, or Jetty's parser):
 * {@code {"status":404,"error":"Not Found","message":"no resource at /nope"}}. Jackson writes record components in
 * declaration order, so the field order is stable.
 *
 * @param status  the HTTP status code, repeated so that a client that logs only the body still sees it
 * @param error   the status's reason phrase as RFC 9110 names it
 * @param message what went wrong, for a human; never a stack trace
 */
public record ErrorBody(int status, String error, String message) {

    /** The body for {@code status} with its RFC 9110 reason phrase. */
    public static ErrorBody of(int status, String message) {
        return new ErrorBody(status, reason(status), message);
    }

    /** RFC 9110's phrase; Jetty's table has older names for some ("Server Error", "Payload Too Large"). */
    static String reason(int status) {
        return switch (status) {
            case 413 -> "Content Too Large";
            case 500 -> "Internal Server Error";
            default -> HttpStatus.getMessage(status);
        };
    }
}
