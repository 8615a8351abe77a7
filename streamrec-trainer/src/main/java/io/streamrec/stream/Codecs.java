package io.streamrec.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact binary encodings of the topology's internal records: events in the pending store and the
 * {@code user-events} topic, residuals in the {@code residuals} topic, rows in the row stores, gradient batches in the {@code item-gradients} topic; and the
 * size bound of the task-state records that keep a history (the gate's window and label history).
 * All big-endian, versioned by a leading byte so that a later format can be told apart.
 */
public final class Codecs {
    private static final byte EVENT_V1 = 1;
    private static final byte RESIDUAL_V1 = 1;
    private static final byte ROW_V1 = 1;
    /** V1 plus the wall-clock time the row was last saved (for {@code rows.ttl.ms}). */
    private static final byte ROW_V2 = 2;
    /** Offset of the saved-at time in a V2 row: after the format byte, version and updates. */
    private static final int ROW_SAVED_AT = 1 + 4 + 8;

    /**
     * The most bytes a task-state record that keeps the newest of a history may take: half of Kafka's default 1 MB
     * record limit, so that long ids or a large setting never make a record the changelog refuses.
     */
    static final int MAX_STATE_BYTES = 512 * 1024;

    private Codecs() {}

    /** An upper bound of what {@code DataOutput.writeUTF(s)} writes: a 2-byte length, then at most 3 bytes a char. */
    static long utfBound(String s) {
        return 2 + 3L * s.length();
    }

    public static byte[] encodeEvent(Event e) {
        byte[] u = e.user().getBytes(StandardCharsets.UTF_8);
        byte[] i = e.item().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + u.length + 4 + i.length + 4 + 4 + 8 + 8);
        b.put(EVENT_V1)
                .putInt(u.length)
                .put(u)
                .putInt(i.length)
                .put(i)
                .putFloat(e.label())
                .putFloat(e.weight())
                .putLong(e.eventTime())
                .putLong(e.ingestTime());
        return b.array();
    }

    public static Event decodeEvent(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), EVENT_V1, "event");
        String user = string(b);
        String item = string(b);
        return new Event(user, item, b.getFloat(), b.getFloat(), b.getLong(), b.getLong());
    }

    /** A record of {@code residuals} (its key is the user id): the item id and the event's residual. */
    public record Residual(String item, double residual) {}

    public static byte[] encodeResidual(String item, double residual) {
        byte[] i = item.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 4 + i.length)
                .put(RESIDUAL_V1)
                .putDouble(residual)
                .putInt(i.length)
                .put(i)
                .array();
    }

    public static Residual decodeResidual(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), RESIDUAL_V1, "residual");
        double residual = b.getDouble();
        return new Residual(string(b), residual);
    }

    /** A {@code residuals} record as the basis task's pending log keeps it: its key and its value as read. */
    public record KeyedResidual(String user, byte[] residual) {}

    /** The user id (int byte length and UTF-8), then the record's value ({@link #encodeResidual}) as it came. */
    public static byte[] encodeKeyedResidual(String user, byte[] residual) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + u.length + residual.length)
                .putInt(u.length)
                .put(u)
                .put(residual)
                .array();
    }

    public static KeyedResidual decodeKeyedResidual(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String user = string(b);
        byte[] residual = new byte[b.remaining()];
        b.get(residual);
        return new KeyedResidual(user, residual);
    }

    /**
     * A row as the row stores keep it: version, updates, parameters, optimizer state, and when it was last saved
     * (epoch ms; 0 when unknown: a row written before that was recorded).
     */
    public record StoredRow(int version, long updates, float[] params, float[] state, long savedAt) {}

    public static byte[] encodeRow(
            int version, long updates, float[] params, int p, int width, float[] state, int s, int stateSize) {
        return encodeRow(version, updates, params, p, width, state, s, stateSize, 0);
    }

    public static byte[] encodeRow(
            int version,
            long updates,
            float[] params,
            int p,
            int width,
            float[] state,
            int s,
            int stateSize,
            long savedAt) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 + 8 + 4 + 4 + 4 * (width + stateSize));
        b.put(ROW_V2)
                .putInt(version)
                .putLong(updates)
                .putLong(savedAt)
                .putInt(width)
                .putInt(stateSize);
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
        byte format = b.get();
        if (format != ROW_V1) {
            check(format, ROW_V2, "row");
        }
        int version = b.getInt();
        long updates = b.getLong();
        long savedAt = format == ROW_V2 ? b.getLong() : 0;
        float[] params = new float[b.getInt()];
        float[] state = new float[b.getInt()];
        for (int j = 0; j < params.length; j++) {
            params[j] = b.getFloat();
        }
        for (int j = 0; j < state.length; j++) {
            state[j] = b.getFloat();
        }
        return new StoredRow(version, updates, params, state, savedAt);
    }

    /** When a stored row was last saved, read without decoding it; 0 when unknown (a V1 row). */
    public static long rowSavedAt(byte[] bytes) {
        return bytes[0] == ROW_V2 ? ByteBuffer.wrap(bytes, ROW_SAVED_AT, 8).getLong() : 0;
    }

    private static final byte GRADIENT_BATCH_V1 = 2;

    /** Receives the items of a gradient batch; {@code grad} is reused between calls. */
    public interface GradientSink {
        void item(String id, int events, long oldestIngestTime, float[] grad);
    }

    /**
     * Packs the summed gradients of several items (one user-task flush, one destination partition) into one record:
     * a parameter-server push, so that the item tasks receive one record per flush and partition rather than one per
     * item.
     */
    public static final class GradientBatchWriter {
        private final int width;
        private ByteBuffer buf;

        public GradientBatchWriter(int width) {
            this.width = width;
            this.buf = ByteBuffer.allocate(256 + 16 * (width * 4 + 32));
            buf.put(GRADIENT_BATCH_V1).putInt(width);
        }

        public void add(String id, int events, long oldest, float[] grad, int g) {
            byte[] k = id.getBytes(StandardCharsets.UTF_8);
            int need = 4 + k.length + 4 + 8 + 4 * width;
            if (buf.remaining() < need) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + need));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            buf.putInt(k.length).put(k).putInt(events).putLong(oldest);
            for (int j = 0; j < width; j++) {
                buf.putFloat(grad[g + j]);
            }
        }

        public byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }

        /** Bytes written so far, the header included. */
        public int size() {
            return buf.position();
        }

        /** True when no item was added since creation or the last {@link #reset}. */
        public boolean isEmpty() {
            return buf.position() == HEADER;
        }

        /** Forgets the items added, keeping the buffer for the next batch. */
        public void reset() {
            buf.position(HEADER);
        }

        private static final int HEADER = 1 + 4;
    }

    /** Unpacks a gradient batch; fails on a batch of another width (factors changed under the same application id). */
    public static void readGradientBatch(byte[] bytes, int expectedWidth, GradientSink sink) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        check(b.get(), GRADIENT_BATCH_V1, "gradient batch");
        int width = b.getInt();
        if (width != expectedWidth) {
            throw new IllegalStateException("item gradient of width " + width + " for a model of width " + expectedWidth
                    + ": were the factors changed without a new application.id?");
        }
        float[] g = new float[width];
        while (b.remaining() > 0) {
            String id = string(b);
            int events = b.getInt();
            long oldest = b.getLong();
            for (int j = 0; j < width; j++) {
                g[j] = b.getFloat();
            }
            sink.item(id, events, oldest, g);
        }
    }

    /**
     * A task's own state, saved at each flush: the global-mean sum and count of its labels, events it learned, row
     * steps it applied, and the first pending-log record that flush did not cover ({@link PendingLog#restore(long)}).
     */
    public record TaskState(double meanSum, double meanCount, long eventsSeen, long rowSteps, long pendingFrom) {
        public static final TaskState EMPTY = new TaskState(0, 0, 0, 0, 0);
    }

    public static byte[] encodeTaskState(TaskState t) {
        return ByteBuffer.allocate(40)
                .putDouble(t.meanSum())
                .putDouble(t.meanCount())
                .putLong(t.eventsSeen())
                .putLong(t.rowSteps())
                .putLong(t.pendingFrom())
                .array();
    }

    /** Reads a task state; one written before {@code pendingFrom} existed (32 bytes) reads it as 0 (skip nothing). */
    public static TaskState decodeTaskState(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new TaskState(
                b.getDouble(), b.getDouble(), b.getLong(), b.getLong(), b.remaining() >= 8 ? b.getLong() : 0);
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    static void check(byte got, byte want, String what) {
        if (got != want) {
            throw new IllegalStateException(
                    "unknown " + what + " encoding version " + got + " (this build reads " + want + ")");
        }
    }
}
