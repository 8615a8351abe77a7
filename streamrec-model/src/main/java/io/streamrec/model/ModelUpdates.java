package io.streamrec.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.io.schubfach.FloatToDecimal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The {@code model-updates} record formats: the contract with downstream services.
 *
 * <ul>
 *   <li>key {@code user:<id>} or {@code item:<id>}: {@code {"kind":"user","id":"196","bias":0.12,
 *       "factors":[...],"version":7,"updates":42,"updatedAt":1732873200123}} where {@code version} counts optimizer
 *       steps applied to the row (pretraining included) and {@code updates} the streamed events that changed it;</li>
 *   <li>key {@code mean:<partition>}: {@code {"kind":"mean","partition":0,"sum":..,"count":..}}, the label sums
 *       of one user partition; the global mean is the sum of the sums over the sum of the counts;</li>
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

    private ModelUpdates() { }

    public static String key(RowKind kind, String id) {
        return kind.prefix() + ":" + id;
    }

    public static byte[] row(RowKind kind, String id, float[] params, int p, int width, int version, long updates, long now) {
        // One per stepped row and flush, the most frequent record this code writes: written by hand into one array
        // (the profile showed JsonGenerator set-up and per-token checks as much as the number formatting), with
        // the generator's exact text: the same Schubfach float formatting, and ids written verbatim. Ids that
        // would need escaping and non-finite values take the generator path.
        if (!plainAscii(id)) {
            return rowWithGenerator(kind, id, params, p, width, version, updates, now);
        }
        String prefix = kind.prefix();
        // Fixed text about 75 bytes, three numbers at most 51, a float at most 15 and its comma.
        byte[] b = new byte[160 + prefix.length() + id.length() + width * 16];
        int n = ascii(b, 0, "{\"kind\":\"");
        n = ascii(b, n, prefix);
        n = ascii(b, n, "\",\"id\":\"");
        n = ascii(b, n, id);
        n = ascii(b, n, "\",\"bias\":");
        for (int j = 0; j < width; j++) {
            float v = params[p + j];
            if (!Float.isFinite(v)) {
                return rowWithGenerator(kind, id, params, p, width, version, updates, now);
            }
            if (j == 1) {
                n = ascii(b, n, ",\"factors\":[");
            } else if (j > 1) {
                b[n++] = ',';
            }
            n = ascii(b, n, FloatToDecimal.toString(v));
        }
        n = ascii(b, n, width > 1 ? "],\"version\":" : ",\"factors\":[],\"version\":");
        n = NumberOutput.outputInt(version, b, n);
        n = ascii(b, n, ",\"updates\":");
        n = NumberOutput.outputLong(updates, b, n);
        n = ascii(b, n, ",\"updatedAt\":");
        n = NumberOutput.outputLong(now, b, n);
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
    static byte[] rowWithGenerator(RowKind kind, String id, float[] params, int p, int width, int version, long updates, long now) {
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
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] mean(int partition, double sum, double count) {
        if (Double.isFinite(sum) && Double.isFinite(count)) {
            // One per user flush: written by hand, the same text as the tree below (Double.toString numbers).
            return ("{\"kind\":\"mean\",\"partition\":" + partition + ",\"sum\":" + sum + ",\"count\":" + count + "}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "mean").put("partition", partition).put("sum", sum).put("count", count);
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The {@code meta} value: model kind, factors, label range, the trainer's hyper-parameters as {@code hyper}
     * (written as given, in the map's order), the global mean and the snapshot the model was fine-tuned from.
     */
    public static byte[] meta(ModelKind model, int factors, double minLabel, double maxLabel, Map<String, ?> hyper,
            double globalMean, String snapshot, long now) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("kind", "meta");
        o.put("model", model.id());
        o.put("factors", factors);
        o.put("globalMean", globalMean);
        o.put("minLabel", minLabel);
        o.put("maxLabel", maxLabel);
        o.set("hyper", MAPPER.valueToTree(hyper));
        if (snapshot == null) {
            o.putNull("initSnapshot");
        } else {
            o.put("initSnapshot", snapshot);
        }
        o.put("updatedAt", now);
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A row parsed back: bias and factors as one array (bias first), version, updates and updatedAt (0 if absent). */
    public record ParsedRow(float[] params, int version, long updates, long updatedAt) { }

    /**
     * Parses a row value into {@code width} parameters; null when the value is not a row of that width.
     */
    public static ParsedRow parseRow(byte[] value, int width) {
        if (value == null) {
            return null;
        }
        float[] params = new float[width];
        int version = 0;
        long updates = 0;
        long updatedAt = 0;
        int n = 0;
        boolean bias = false;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "bias" -> {
                        params[0] = p.getFloatValue();
                        bias = true;
                    }
                    case "factors" -> {
                        if (t != JsonToken.START_ARRAY) {
                            return null;
                        }
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (++n >= width) {
                                return null;
                            }
                            params[n] = p.getFloatValue();
                        }
                    }
                    case "version" -> version = p.getIntValue();
                    case "updates" -> updates = p.getLongValue();
                    case "updatedAt" -> updatedAt = p.getLongValue();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return bias && n == width - 1 ? new ParsedRow(params, version, updates, updatedAt) : null;
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
