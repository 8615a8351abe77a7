package io.streamrec.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact binary encodings of the topology's internal records: events in the pending store and the
 * {@code user-events} topic, rows in the row stores, gradients in the {@code item-gradients} topic.
 * All big-endian, versioned by a leading byte so that a later format can be told apart.
 */
public final class Codecs {
    private static final byte EVENT_V1 = 1;
    private static final byte ROW_V1 = 1;
    private static final byte GRADIENT_V1 = 1;

    private Codecs() { }

    public static byte[] encodeEvent(Event e) {
        byte[] u = e.user().getBytes(StandardCharsets.UTF_8);
        byte[] i = e.item().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + u.length + 4 + i.length + 4 + 4 + 8 + 8);
        b.put(EVENT_V1).putInt(u.length).put(u).putInt(i.length).put(i)
                .putFloat(e.label()).putFloat(e.weight()).putLong(e.eventTime()).putLong(e.ingestTime());
        return b.array();
    }

    public static Event decodeEvent(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), EVENT_V1, "event");
        String user = string(b);
        String item = string(b);
        return new Event(user, item, b.getFloat(), b.getFloat(), b.getLong(), b.getLong());
    }

    /** A row as the row stores keep it: version, updates, parameters, optimizer state. */
    public record StoredRow(int version, long updates, float[] params, float[] state) { }

    public static byte[] encodeRow(int version, long updates, float[] params, int p, int width, float[] state, int s, int stateSize) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 + 4 + 4 + 4 * (width + stateSize));
        b.put(ROW_V1).putInt(version).putLong(updates).putInt(width).putInt(stateSize);
        for (int j = 0; j < width; j++) {
            b.putFloat(params[p + j]);
        }
        for (int j = 0; j < stateSize; j++) {
            b.putFloat(state[s + j]);
        }
        return b.array();
    }

    public static StoredRow decodeRow(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), ROW_V1, "row");
        int version = b.getInt();
        long updates = b.getLong();
        float[] params = new float[b.getInt()];
        float[] state = new float[b.getInt()];
        for (int j = 0; j < params.length; j++) {
            params[j] = b.getFloat();
        }
        for (int j = 0; j < state.length; j++) {
            state[j] = b.getFloat();
        }
        return new StoredRow(version, updates, params, state);
    }

    /** Summed gradient of one item from one user-task flush, or several accumulated. */
    public record Gradient(int events, long oldestIngestTime, float[] grad) { }

    public static byte[] encodeGradient(int events, long oldest, float[] grad, int g, int width) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 + 4 + 4 * width);
        b.put(GRADIENT_V1).putInt(events).putLong(oldest).putInt(width);
        for (int j = 0; j < width; j++) {
            b.putFloat(grad[g + j]);
        }
        return b.array();
    }

    public static Gradient decodeGradient(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), GRADIENT_V1, "gradient");
        int events = b.getInt();
        long oldest = b.getLong();
        float[] g = new float[b.getInt()];
        for (int j = 0; j < g.length; j++) {
            g[j] = b.getFloat();
        }
        return new Gradient(events, oldest, g);
    }

    /** Task counters: global-mean sum and count of this task's labels, events it learned, row steps it applied. */
    public record TaskState(double meanSum, double meanCount, long eventsSeen, long rowSteps) {
        public static final TaskState EMPTY = new TaskState(0, 0, 0, 0);
    }

    public static byte[] encodeTaskState(TaskState t) {
        return ByteBuffer.allocate(32).putDouble(t.meanSum()).putDouble(t.meanCount()).putLong(t.eventsSeen())
                .putLong(t.rowSteps()).array();
    }

    public static TaskState decodeTaskState(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new TaskState(b.getDouble(), b.getDouble(), b.getLong(), b.getLong());
    }

    /** A payload tagged with the id it belongs to (pending item gradients). */
    public static byte[] encodeKeyed(String id, byte[] payload) {
        byte[] k = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + k.length + payload.length).putInt(k.length).put(k).put(payload).array();
    }

    public static String keyedId(byte[] bytes) {
        return string(ByteBuffer.wrap(bytes));
    }

    public static byte[] keyedPayload(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.getInt();
        return java.util.Arrays.copyOfRange(bytes, 4 + n, bytes.length);
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void check(byte got, byte want, String what) {
        if (got != want) {
            throw new IllegalStateException("unknown " + what + " encoding version " + got + " (this build reads " + want + ")");
        }
    }
}
