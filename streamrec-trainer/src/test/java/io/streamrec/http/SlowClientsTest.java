package io.streamrec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow and hostile clients must not delay anyone else: issue 10 asks that with 50 stalled connections open,
 * {@code /health} and another route still answer within 100 ms. Real sockets against a real server.
 */
class SlowClientsTest {
    /** The first bytes of a TLS 1.2+ ClientHello record: what a client that speaks https to the plain port sends. */
    static final byte[] TLS_CLIENT_HELLO_START = {
        0x16,
        0x03,
        0x01,
        0x02,
        0x00,
        0x01,
        0x00,
        0x01,
        (byte) 0xfc,
        0x03,
        0x03,
        0x5a,
        0x11,
        0x7e,
        (byte) 0xc3,
        0x00,
        0x20,
        (byte) 0x9f,
        0x41,
        0x0d,
        0x0a,
        0x0d,
        0x0a
    };

    private static final int STALLED = 50;
    private static final long BOUND_NANOS = 100_000_000;
    private static final long BLOCKED_NANOS = 1_000_000_000;
    private static final int MEASURED = 20;
    private static final int ROUNDS = 3;

    private final List<Socket> clients = new ArrayList<>();
    private HttpApi api;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), api.port());
        clients.add(s);
        return s;
    }

    private static void write(Socket s, byte[] bytes) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    @Test
    void shouldAnswerHealthAndAnotherRouteWithin100msWhile50ConnectionsStall() throws Exception {
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .health(() -> "RUNNING")
                .stats(() -> Map.of("points", List.of()))
                .start();
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < STALLED; i++) {
            Socket s = open();
            // Half a request line, a header cut off mid-value, or a head without its closing blank line.
            String half = switch (i % 3) {
                case 0 -> "GET /hea";
                case 1 -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: waiting";
                default -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            };
            write(s, half.getBytes(StandardCharsets.US_ASCII));
            stalled.add(s);
        }
        write(open(), TLS_CLIENT_HELLO_START);
        for (int i = 0; i < 3; i++) {
            // A client that pipelines requests and never reads the answers: the server's writes back up.
            Socket reader = open();
            write(
                    reader,
                    RawHttp.get("/metrics")
                            .replace("Connection: close\r\n", "")
                            .repeat(200)
                            .getBytes(StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < 100; i++) { // warm-up: class loading and JIT, not what the issue is about
            RawHttp.exchange(api.port(), RawHttp.get(i % 2 == 0 ? "/health" : "/api/stats"));
        }

        // A server that stalled clients can block shows seconds on every request. A single request over 100 ms
        // on its own is what an overloaded shared 2-core machine does to any process (seen here at load 15), so
        // up to ROUNDS rounds are measured, and one round must be under the bound from first to last request.
        List<String> rounds = new ArrayList<>();
        boolean withinBound = false;
        for (int round = 0; round < ROUNDS && !withinBound; round++) {
            long[] health = timeSequential("/health");
            long[] stats = timeSequential("/api/stats");
            rounds.add(String.format(
                    "/health max %.1f ms median %.1f ms, /api/stats max %.1f ms median %.1f ms",
                    health[MEASURED - 1] / 1e6,
                    health[MEASURED / 2] / 1e6,
                    stats[MEASURED - 1] / 1e6,
                    stats[MEASURED / 2] / 1e6));
            assertTrue(
                    health[MEASURED - 1] < BLOCKED_NANOS && stats[MEASURED - 1] < BLOCKED_NANOS,
                    "a request waited as if blocked: " + rounds);
            withinBound = health[MEASURED - 1] < BOUND_NANOS && stats[MEASURED - 1] < BOUND_NANOS;
        }
        System.out.printf(
                "with %d stalled connections, %d sequential requests per route, new connection each: %s%n",
                STALLED, MEASURED, rounds);
        assertTrue(withinBound, "no round of " + MEASURED + " requests per route all under 100 ms: " + rounds);
        for (Socket s : stalled) {
            // Still open and waiting: the server answered others while these stalled, it did not just drop them.
            s.setSoTimeout(1);
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
        }
    }

    /** Nanoseconds of {@value #MEASURED} sequential requests, each on a new connection, sorted. */
    private long[] timeSequential(String target) throws Exception {
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long t0 = System.nanoTime();
            RawHttp.Reply reply = RawHttp.exchange(api.port(), RawHttp.get(target));
            nanos[i] = System.nanoTime() - t0;
            assertEquals(200, reply.status(), reply.body());
        }
        Arrays.sort(nanos);
        return nanos;
    }

    @Test
    void shouldCloseAConnectionThatTricklesItsHeadersPastTheDeadline() throws Exception {
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .health(() -> "RUNNING")
                .livePage(false)
                .timeouts(Duration.ofSeconds(5), Duration.ofMillis(500))
                .start();
        Socket slow = open();
        slow.setSoTimeout(50);
        InputStream in = slow.getInputStream();
        byte[] head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 0123456789012345678901234567890123456789"
                .getBytes(StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        boolean closed = false;
        // One byte every 50 ms keeps the 5 s idle timeout from ever firing; only the head deadline can end it.
        for (int i = 0; i < head.length && !closed; i++) {
            try {
                write(slow, new byte[] {head[i]});
                closed = in.read() < 0;
            } catch (SocketTimeoutException stillOpen) {
                // next byte
            } catch (IOException reset) {
                closed = true;
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(closed, "the trickling connection was still open after " + ms + " ms");
        assertTrue(ms >= 400 && ms < 3_000, "closed after " + ms + " ms, the deadline is 500 ms");
    }

    @Test
    void shouldKeepAKeepAliveConnectionPastTheHeadDeadlineOnceItsFirstRequestArrived() throws Exception {
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .health(() -> "RUNNING")
                .livePage(false)
                .timeouts(Duration.ofSeconds(5), Duration.ofMillis(300))
                .start();
        Socket client = open();
        client.setSoTimeout(5_000);
        byte[] request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2; i++) {
            write(client, request);
            byte[] buf = new byte[4096];
            int n = client.getInputStream().read(buf);
            assertTrue(
                    n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"),
                    "request " + i + " on the kept-alive connection was answered");
            Thread.sleep(800); // past the 300 ms head deadline, well within the 5 s idle timeout
        }
    }

    @Test
    void shouldCloseAnIdleKeepAliveConnectionAfterTheIdleTimeout() throws Exception {
        api = HttpApi.builder()
                .bind("127.0.0.1", 0)
                .health(() -> "RUNNING")
                .livePage(false)
                .timeouts(Duration.ofMillis(300), Duration.ofSeconds(5))
                .start();
        Socket idle = open();
        write(idle, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        idle.setSoTimeout(5_000);
        InputStream in = idle.getInputStream();
        long t0 = System.nanoTime();
        byte[] buf = new byte[4096];
        int total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(total > 0, "the request was answered before the connection was closed");
        assertTrue(ms < 3_000, "closed after " + ms + " ms, the idle timeout is 300 ms");
    }
}
