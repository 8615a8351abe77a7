package io.streamrec.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error page in streamrec's {@link ErrorBody} shape instead of HTML. Jetty calls it for what it rejects
 * before any route runs (a request line over the header limit: 414; headers over it: 431; a malformed URI or
 * a TLS handshake on the plain port: 400) and for exceptions that escape a handler. A 5xx never carries the
 * exception's message: that goes to the log only.
 */
final class JsonErrorHandler implements Request.Handler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws JsonProcessingException {
        int status = response.getStatus();
        String message = (String) request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            status = http.getCode();
            if (message == null) {
                message = http.getReason();
            }
        }
        if (status < 400) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500;
        }
        if (status >= 500) {
            message = "internal error";
        } else if (message == null || message.isBlank() || message.equals(HttpStatus.getMessage(status))) {
            message = explain(status);
        }
        response.setStatus(status);
        byte[] body = MAPPER.writeValueAsBytes(ErrorBody.of(status, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpApi.JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
        return true;
    }

    /** Jetty often gives no more than the reason phrase; say what the limit or the problem was. */
    private static String explain(int status) {
        return switch (status) {
            case 400 -> "malformed request: bad URI, percent-encoding or HTTP syntax";
            case 414 -> "request line over " + HttpApi.MAX_REQUEST_HEAD_BYTES + " bytes";
            case 431 -> "request line and headers over " + HttpApi.MAX_REQUEST_HEAD_BYTES + " bytes";
            default -> ErrorBody.reason(status);
        };
    }
}
