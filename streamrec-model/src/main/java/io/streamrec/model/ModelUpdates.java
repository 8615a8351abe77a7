package io.streamrec.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.io.schubfach.FloatToDecimal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the {@code model-updates} records, the contract with downstream services: the trainer publishes with it and
 * {@link ModelRecordCodec} encodes with it, so there is one writer. Keys are {@link ModelKeys}; the client reads with
 * {@link ModelRecordCodec#decode}, and the trainer reads its published rows back with the same reader ({@link #parseRow}).
 * A non-finite value is refused when written ({@link IllegalArgumentException}): JSON has no NaN, and a row the
 * client cannot read must never be published.
 *
 * <ul>
 *   <li>key {@code user:<id>} or {@code item:<id>}: {@code {"kind":"user","id":"196","bias":0.12,
 *       "factors":[...],"version":7,"updates":42,"updatedAt":1732873200123}} where {@code version} counts optimizer
 *       steps applied to the row (pretraining included) and {@code updates} the streamed events that changed it;
 *       an optional {@code eventTime} follows {@code updatedAt} when it is not 0;</li>
 *   <li>key {@code mean:<partition>}: {@code {"kind":"mean","partition":0,"sum":..,"count":..}}, the label sums
 *       of one user partition; the global mean is the sum of the sums over the sum of the counts;</li>
 *   <li>key {@code gate:<partition>}: the publication gate of a user partition, {@link #gate};</li>
 *   <li>key {@code meta}: model kind, factors, label range, hyper-parameters, the snapshot it was fine-tuned from.</li>
 * </ul>
 */
public final class ModelUpdates {
    // Schubfach float formatting and fast float parsing: row values dominate the bytes this code writes and reads.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ModelUpdates() {}

    /** A row as the trainer writes it: no {@code eventTime}. */
    public static byte[] row(
            RowKind kind, String id, float[] params, int p, int width, long version, long updates, long now) {
        return row(kind, id, params, p, width, version, updates, now, 0L);
    }

    /** True when the {@code width} values from {@code p} are all finite: a row {@link #row} accepts. */
    public static boolean isFinite(float[] params, int p, int width) {
        for (int j = 0; j < width; j++) {
            if (!Float.isFinite(params[p + j])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The row value of {@code params[p]} (bias) and {@code params[p+1 .. p+width-1]} (factors).
     *
     * @param eventTime written after {@code updatedAt} unless it is 0
     * @throws IllegalArgumentException if a value is NaN or infinite
     */
    public static byte[] row(
            RowKind kind,
            String id,
            float[] params,
            int p,
            int width,
            long version,
            long updates,
            long now,
            long eventTime) {
        for (int j = 0; j < width; j++) {
            if (!Float.isFinite(params[p + j])) {
                throw new IllegalArgumentException("row " + ModelKeys.row(kind, id) + ": "
                        + (j == 0 ? "bias" : "factor " + (j - 1)) + " is " + params[p + j]
                        + "; expected finite values (a non-finite row is never published)");
            }
        }
        // One per stepped row and flush, the most frequent record this code writes: written by hand into one array
        // (the profile showed JsonGenerator set-up and per-token checks as much as the number formatting), with
        // the generator's exact text: the same Schubfach float formatting, and ids written verbatim. Ids that
        // would need escaping take the generator path.
        if (!plainAscii(id)) {
            return rowWithGenerator(kind, id, params, p, width, version, updates, now, eventTime);
        }
        String prefix = kind.prefix();
        // Fixed text about 90 bytes, four numbers at most 77, a float at most 15 and its comma.
        byte[] b = new byte[200 + prefix.length() + id.length() + width * 16];
        int n = ascii(b, 0, "{\"kind\":\"");
        n = ascii(b, n, prefix);
        n = ascii(b, n, "\",\"id\":\"");
        n = ascii(b, n, id);
        n = ascii(b, n, "\",\"bias\":");
        for (int j = 0; j < width; j++) {
            float v = params[p + j];
            if (j == 1) {
                n = ascii(b, n, ",\"factors\":[");
            } else if (j > 1) {
                b[n++] = ',';
            }
            n = ascii(b, n, FloatToDecimal.toString(v));
        }
        n = ascii(b, n, width > 1 ? "],\"version\":" : ",\"factors\":[],\"version\":");
        n = NumberOutput.outputLong(version, b, n);
        n = ascii(b, n, ",\"updates\":");
        n = NumberOutput.outputLong(updates, b, n);
        n = ascii(b, n, ",\"updatedAt\":");
        n = NumberOutput.outputLong(now, b, n);
        if (eventTime != 0) {
            n = ascii(b, n, ",\"eventTime\":");
            n = NumberOutput.outputLong(eventTime, b, n);
        }
        b[n++] = '}';
        return java.util.Arrays.copyOf(b, n);
    }

    /** True when a JSON string writer would copy {@code s} unchanged: printable ASCII without quote or backslash. */
    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Copies ASCII text into {@code b} at {@code n} (room was reserved); returns the new end. */
    private static int ascii(byte[] b, int n, String s) {
        int len = s.length();
        if (n + len > b.length) {
            throw new IllegalStateException("row buffer too small");
        }
        for (int i = 0; i < len; i++) {
            b[n + i] = (byte) s.charAt(i);
        }
        return n + len;
    }

    /** The row through Jackson's generator: the reference text of {@link #row}, and its path for unusual ids. */
    static byte[] rowWithGenerator(
            RowKind kind,
            String id,
            float[] params,
            int p,
            int width,
            long version,
            long updates,
            long now,
            long eventTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + width * 12);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("kind", kind.prefix());
            g.writeStringField("id", id);
            g.writeNumberField("bias", params[p]);
            g.writeArrayFieldStart("factors");
            for (int j = 1; j < width; j++) {
                g.writeNumber(params[p + j]);
            }
            g.writeEndArray();
            g.writeNumberField("version", version);
            g.writeNumberField("updates", updates);
            g.writeNumberField("updatedAt", now);
            if (eventTime != 0) {
                g.writeNumberField("eventTime", eventTime);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The {@code mean:<partition>} value ({@code partition} -1 for the snapshot's sums).
     *
     * @throws IllegalArgumentException if the sum or the count is not finite, or the count is negative
     */
    public static byte[] mean(int partition, double sum, double count) {
        if (!Double.isFinite(sum) || !Double.isFinite(count) || count < 0) {
            throw new IllegalArgumentException("mean " + ModelKeys.mean(partition)
                    + ": expected a finite sum and a finite count >= 0, got " + sum + " and " + count);
        }
        // One per user flush: written by hand (Double.toString numbers, the text Jackson's tree writes).
        return ("{\"kind\":\"mean\",\"partition\":" + partition + ",\"sum\":" + sum + ",\"count\":" + count + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The {@code gate:<partition>} value: {@code {"kind":"gate","partition":0,"open":false,"reason":"quality",
     * "liveRmse":1.12,"referenceRmse":1.01,"since":1732873200123,"closures":1,"rollbacks":0,"quarantined":0,
     * "updatedAt":..}}; an RMSE that is not known is {@code null}.
     */
    public static byte[] gate(GateState g) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "gate");
        o.put("partition", g.partition());
        o.put("open", g.open());
        o.put("reason", g.reason());
        putFinite(o, "liveRmse", g.liveRmse());
        putFinite(o, "referenceRmse", g.referenceRmse());
        o.put("since", g.since());
        o.put("closures", g.closures());
        o.put("rollbacks", g.rollbacks());
        o.put("quarantined", g.quarantined());
        o.put("updatedAt", g.updatedAt());
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void putFinite(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    /**
     * The {@code meta} value: model kind, factors, global mean (and the count behind it when known), label range
     * (when finite), {@code hyper} (the trainer's hyper-parameters, written as given, in the map's order), the
     * snapshot the model was fine-tuned from and the time of writing.
     */
    public static byte[] meta(ModelMeta meta, Map<String, ?> hyper) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "meta");
        o.put("model", meta.model().id());
        o.put("factors", meta.factors());
        o.put("globalMean", meta.globalMean());
        if (meta.globalCount() != 0) {
            o.put("globalCount", meta.globalCount());
        }
        if (Double.isFinite(meta.minLabel())) {
            o.put("minLabel", meta.minLabel());
        }
        if (Double.isFinite(meta.maxLabel())) {
            o.put("maxLabel", meta.maxLabel());
        }
        o.set("hyper", MAPPER.valueToTree(hyper));
        if (meta.initSnapshot() == null) {
            o.putNull("initSnapshot");
        } else {
            o.put("initSnapshot", meta.initSnapshot());
        }
        o.put("updatedAt", meta.updatedAt());
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A row parsed back: bias and factors as one array (bias first), version, updates and updatedAt (0 if absent). */
    public record ParsedRow(float[] params, int version, long updates, long updatedAt) {}

    /**
     * The row of key {@code <kind>:<id>} as the trainer holds it, {@code width} parameters (bias first), read with the
     * contract's one reader ({@link ModelRecordCodec#decodeRow}); null when the value is missing, breaks the contract,
     * or is a row of another width (a model with another factor count).
     */
    public static ParsedRow parseRow(String key, byte[] value, int width) {
        RowKind kind = ModelKeys.rowKind(key);
        return kind == null ? null : parseRow(kind, key.substring(kind.prefix().length() + 1), value, width);
    }

    /** {@link #parseRow(String, byte[], int)} of the row key {@code <kind>:<id>}. */
    public static ParsedRow parseRow(RowKind kind, String id, byte[] value, int width) {
        return parseRow(kind, id, value, width, width);
    }

    /**
     * {@link #parseRow(RowKind, String, byte[], int)} of a row published {@code publishedWidth} parameters long, of
     * which the trainer holds the first {@code width}: the rest is what only clients use (the residual
     * neighbourhood's coordinates). Rows of any other length are null.
     */
    public static ParsedRow parseRow(RowKind kind, String id, byte[] value, int width, int publishedWidth) {
        if (value == null) {
            return null;
        }
        ModelRow row;
        try {
            row = ModelRecordCodec.decodeRow(kind, id, value);
        } catch (MalformedRecordException e) {
            return null;
        }
        if (row.factors().length != publishedWidth - 1 || row.version() > Integer.MAX_VALUE) {
            return null;
        }
        float[] params = new float[width];
        params[0] = row.bias();
        System.arraycopy(row.factors(), 0, params, 1, width - 1);
        return new ParsedRow(params, (int) row.version(), row.updates(), row.updatedAt());
    }

    /** Parses a {@code mean:<p>} value into {sum, count}; null when malformed. */
    public static double[] parseMean(byte[] value) {
        try {
            var node = MAPPER.readTree(value);
            return new double[] {node.get("sum").asDouble(), node.get("count").asDouble()};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
