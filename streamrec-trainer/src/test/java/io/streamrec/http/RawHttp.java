package io.streamrec.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests that {@link java.net.http.HttpClient} will not send (a 1 MB URI,
 * a bad percent-encoding, half a request) and for seeing exactly what the server wrote (HEAD has no body).
 */
final class RawHttp {
    private static final int SMALL = 16 * 1024;

    private RawHttp() {}

    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    }

    /** Sends {@code request}, reads the reply until the server closes, and parses it. */
    static Reply exchange(int port, String request) throws IOException, InterruptedException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Reply exchange(int port, byte[] request) throws IOException, InterruptedException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            if (request.length <= SMALL) {
                // Fits the socket buffer: written at once, no thread to start (it would show in measured latency).
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                return parse(readUntilClosed(socket.getInputStream()));
            }
            // The server may answer (414, 413) and close before it has read a large request: write on the side so
            // that a blocked or failed write does not keep us from reading that answer.
            Thread writer = new Thread(
                    () -> {
                        try {
                            OutputStream out = socket.getOutputStream();
                            out.write(request);
                            out.flush();
                        } catch (IOException expectedWhenTheServerClosesEarly) {
                            // the reply tells what happened
                        }
                    },
                    "raw-http-writer");
            writer.setDaemon(true);
            writer.start();
            byte[] raw = readUntilClosed(socket.getInputStream());
            writer.join(10_000);
            return parse(raw);
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // A reset after the reply (the server closing on unread request bytes) is fine; before it, not.
            if (all.size() == 0) {
                throw e;
            }
        }
        return all.toByteArray();
    }

    static Reply parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("not an HTTP/1.1 response: '" + text + "'");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Reply(status, headers, body);
    }
}
