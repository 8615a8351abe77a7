package io.streamrec.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * Reads and writes {@code model-updates} records as docs/contracts.md defines them:
 * key {@code user:<id>}, {@code item:<id>}, {@code mean:<partition>}, {@code mean:snapshot},
 * {@code gate:<partition>} or {@code meta};
 * value a JSON object whose {@code kind} (and {@code id}, or {@code partition}) must agree with the key; a null
 * value is a tombstone.
 *
 * <p>Decoding is strict about what the client uses (kind, id, bias, finite float factors, integral
 * non-negative version; sum and non-negative count of a mean record; model, factors and globalMean of the meta
 * record) and lenient about the rest
 * (unknown fields are ignored; {@code updates}, {@code updatedAt}, {@code eventTime}, {@code minLabel},
 * {@code maxLabel} are optional). Encoding is the trainer's writer, {@link ModelUpdates}, for tests and tools that
 * produce hand-made records; keys are {@link ModelKeys}.
 */
public final class ModelRecordCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // Fast float parsing: row values dominate what the client and the trainer's global thread read.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private ModelRecordCodec() {}

    /** Decodes one record; throws with a human-readable reason when it breaks the contract. */
    public static ModelUpdate decode(String key, byte[] value) throws MalformedRecordException {
        if (key == null) {
            throw new MalformedRecordException("record has no key");
        }
        if (key.startsWith(ModelKeys.MEAN_PREFIX)) {
            return decodeMean(key, value);
        }
        if (key.startsWith(ModelKeys.GATE_PREFIX)) {
            return decodeGate(key, value);
        }
        RowKind keyKind = null;
        String keyId = null;
        if (!ModelKeys.META.equals(key)) {
            keyKind = ModelKeys.rowKind(key);
            if (keyKind == null) {
                throw new MalformedRecordException(
                        "key must be user:<id>, item:<id>, mean:<partition> or meta, got '" + abbreviate(key) + "'");
            }
            keyId = key.substring(keyKind.prefix().length() + 1);
        }
        if (value == null) {
            return keyKind == null ? new ModelUpdate.MetaTombstone() : new ModelUpdate.RowTombstone(keyKind, keyId);
        }
        if (keyKind != null) {
            return new ModelUpdate.Row(decodeRow(keyKind, keyId, value));
        }
        JsonNode node = object(key, value);
        String kind = text(node, "kind");
        if (!"meta".equals(kind)) {
            throw new MalformedRecordException("key 'meta' carries kind '" + kind + "'");
        }
        return new ModelUpdate.Meta(decodeMeta(node));
    }

    /**
     * Decodes the value of row key {@code <kind>:<id>}: the one row reader, for the client and for the trainer, which
     * reads its published rows back. A streaming parse (no tree): the trainer's global thread reads every published
     * item row with it.
     *
     * @throws MalformedRecordException when the value is not such a row (kind or id disagreeing with the key
     *         included)
     */
    public static ModelRow decodeRow(RowKind kind, String id, byte[] value) throws MalformedRecordException {
        String key = kind.prefix() + ":" + abbreviate(id);
        if (value == null) {
            throw new MalformedRecordException(key + ": no value (a tombstone)");
        }
        String gotKind = null;
        String gotId = null;
        double bias = Double.NaN;
        boolean hasBias = false;
        float[] factors = null;
        long version = -1;
        boolean hasVersion = false;
        long updates = 0;
        long updatedAt = 0;
        long eventTime = 0;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedRecordException("value of key '" + key + "' is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "kind" -> gotKind = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "id" -> gotId = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "bias" -> {
                        bias = number(p, t, key, "bias");
                        hasBias = true;
                    }
                    case "factors" -> factors = factors(p, t, key);
                    case "version" -> {
                        version = integer(p, t, key, "version");
                        hasVersion = true;
                    }
                    case "updates" -> updates = t == JsonToken.VALUE_NULL ? 0 : integer(p, t, key, "updates");
                    case "updatedAt" -> updatedAt = t == JsonToken.VALUE_NULL ? 0 : integer(p, t, key, "updatedAt");
                    case "eventTime" -> eventTime = t == JsonToken.VALUE_NULL ? 0 : integer(p, t, key, "eventTime");
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new MalformedRecordException("value of key '" + key + "' is not JSON: " + firstLine(e.getMessage()));
        }
        if (!kind.prefix().equals(gotKind)) {
            throw new MalformedRecordException("key '" + key + "' carries kind '" + gotKind + "'");
        }
        if (!id.equals(gotId)) {
            throw new MalformedRecordException(
                    "key '" + key + "' carries id '" + abbreviate(String.valueOf(gotId)) + "'");
        }
        if (factors == null) {
            throw new MalformedRecordException(key + ": factors must be an array");
        }
        if (!hasBias) {
            throw new MalformedRecordException(key + ": bias must be a number, got nothing");
        }
        if (!hasVersion) {
            throw new MalformedRecordException(key + ": version must be an integer, got nothing");
        }
        try {
            return new ModelRow(kind, id, (float) bias, factors, version, updates, updatedAt, eventTime);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(key + ": " + e.getMessage());
        }
    }

    private static double number(JsonParser p, JsonToken t, String key, String field)
            throws IOException, MalformedRecordException {
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new MalformedRecordException(key + ": " + field + " must be a number, got " + token(p, t));
        }
        return p.getDoubleValue();
    }

    private static long integer(JsonParser p, JsonToken t, String key, String field)
            throws IOException, MalformedRecordException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new MalformedRecordException(key + ": " + field + " must be an integer, got " + token(p, t));
        }
        return p.getLongValue();
    }

    private static float[] factors(JsonParser p, JsonToken t, String key) throws IOException, MalformedRecordException {
        if (t != JsonToken.START_ARRAY) {
            throw new MalformedRecordException(key + ": factors must be an array");
        }
        float[] f = new float[16];
        int n = 0;
        JsonToken x;
        while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
            if (x != JsonToken.VALUE_NUMBER_INT && x != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new MalformedRecordException(key + ": factor " + n + " is not a number");
            }
            if (n == f.length) {
                f = java.util.Arrays.copyOf(f, n * 2);
            }
            f[n++] = (float) p.getDoubleValue(); // as a double, then rounded: what the client always did
        }
        return n == f.length ? f : java.util.Arrays.copyOf(f, n);
    }

    private static String token(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return t == JsonToken.START_OBJECT ? "an object" : "an array";
        }
        return abbreviate(t == JsonToken.VALUE_STRING ? '"' + p.getText() + '"' : p.getText());
    }

    private static JsonNode object(String key, byte[] value) throws MalformedRecordException {
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new MalformedRecordException(
                    "value of key '" + abbreviate(key) + "' is not JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException("value of key '" + abbreviate(key) + "' is not a JSON object");
        }
        return node;
    }

    /** {@code mean:<partition>} ({@code partition >= 0}) or {@code mean:snapshot} (partition -1). */
    private static ModelUpdate decodeMean(String key, byte[] value) throws MalformedRecordException {
        String suffix = key.substring(ModelKeys.MEAN_PREFIX.length());
        int partition;
        if (ModelKeys.MEAN_SNAPSHOT.equals(suffix)) {
            partition = -1;
        } else {
            try {
                partition = Integer.parseInt(suffix);
            } catch (NumberFormatException e) {
                partition = -2;
            }
            if (partition < 0) {
                throw new MalformedRecordException(
                        "key must be mean:<partition> or mean:snapshot, got '" + abbreviate(key) + "'");
            }
        }
        if (value == null) {
            return new ModelUpdate.MeanTombstone(key);
        }
        JsonNode node = object(key, value);
        String kind = text(node, "kind");
        if (!"mean".equals(kind)) {
            throw new MalformedRecordException("key '" + abbreviate(key) + "' carries kind '" + kind + "'");
        }
        JsonNode p = node.get("partition");
        if (p != null && !p.isNull() && !(p.isIntegralNumber() && p.asLong() == partition)) {
            throw new MalformedRecordException("key '" + abbreviate(key) + "' carries partition " + describe(p));
        }
        double sum = requiredNumber(node, "sum");
        double count = requiredNumber(node, "count");
        if (!Double.isFinite(sum) || !Double.isFinite(count) || count < 0) {
            throw new MalformedRecordException(
                    abbreviate(key) + ": expected a finite sum and a finite count >= 0, got " + sum + " and " + count);
        }
        return new ModelUpdate.Mean(key, partition, sum, count);
    }

    /** {@code gate:<partition>}. */
    private static ModelUpdate decodeGate(String key, byte[] value) throws MalformedRecordException {
        int partition;
        try {
            partition = Integer.parseInt(key.substring(ModelKeys.GATE_PREFIX.length()));
        } catch (NumberFormatException e) {
            partition = -1;
        }
        if (partition < 0) {
            throw new MalformedRecordException("key must be gate:<partition>, got '" + abbreviate(key) + "'");
        }
        if (value == null) {
            return new ModelUpdate.GateTombstone(partition);
        }
        JsonNode node = object(key, value);
        String kind = text(node, "kind");
        if (!"gate".equals(kind)) {
            throw new MalformedRecordException("key '" + abbreviate(key) + "' carries kind '" + kind + "'");
        }
        if (requiredLong(node, "partition") != partition) {
            throw new MalformedRecordException(
                    "key '" + abbreviate(key) + "' carries partition " + describe(node.get("partition")));
        }
        JsonNode open = node.get("open");
        if (open == null || !open.isBoolean()) {
            throw new MalformedRecordException(abbreviate(key) + ": open must be true or false, got " + describe(open));
        }
        String reason = text(node, "reason");
        try {
            return new ModelUpdate.Gate(new GateState(
                    partition,
                    open.booleanValue(),
                    reason,
                    optionalNumber(node, "liveRmse", Double.NaN),
                    optionalNumber(node, "referenceRmse", Double.NaN),
                    requiredLong(node, "since"),
                    optionalLong(node, "closures"),
                    optionalLong(node, "rollbacks"),
                    optionalLong(node, "quarantined"),
                    optionalLong(node, "updatedAt")));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(abbreviate(key) + ": " + e.getMessage());
        }
    }

    private static ModelKind modelKind(String id) {
        for (ModelKind kind : ModelKind.values()) {
            if (kind.id().equals(id)) {
                return kind;
            }
        }
        return null;
    }

    private static ModelMeta decodeMeta(JsonNode node) throws MalformedRecordException {
        String name = text(node, "model");
        ModelKind model = modelKind(name);
        if (model == null) {
            throw new MalformedRecordException(
                    "meta: model must be one of " + ModelKind.ids() + ", got '" + name + "'");
        }
        long factors = requiredLong(node, "factors");
        if (factors > Integer.MAX_VALUE) {
            throw new MalformedRecordException("meta: factors out of range: " + factors);
        }
        JsonNode snapshot = node.get("initSnapshot");
        try {
            return new ModelMeta(
                    model,
                    (int) factors,
                    requiredNumber(node, "globalMean"),
                    optionalLong(node, "globalCount"),
                    optionalNumber(node, "minLabel", Double.NEGATIVE_INFINITY),
                    optionalNumber(node, "maxLabel", Double.POSITIVE_INFINITY),
                    snapshot == null || snapshot.isNull() ? null : snapshot.asText(),
                    optionalLong(node, "updatedAt"));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("meta: " + e.getMessage());
        }
    }

    /** Encodes a row value: the trainer's writer, {@link ModelUpdates#row}. */
    public static byte[] encodeRow(ModelRow row) {
        float[] factors = row.factors();
        float[] params = new float[1 + factors.length];
        params[0] = row.bias();
        System.arraycopy(factors, 0, params, 1, factors.length);
        return ModelUpdates.row(
                row.kind(),
                row.id(),
                params,
                0,
                params.length,
                row.version(),
                row.updates(),
                row.updatedAt(),
                row.eventTime());
    }

    /** Encodes a {@code mean:<partition>} value ({@code partition} -1 for the snapshot): {@link ModelUpdates#mean}. */
    public static byte[] encodeMean(int partition, double sum, double count) {
        return ModelUpdates.mean(partition, sum, count);
    }

    /** Encodes a {@code gate:<partition>} value: {@link ModelUpdates#gate}. */
    public static byte[] encodeGate(GateState gate) {
        return ModelUpdates.gate(gate);
    }

    /** Encodes a meta value with an empty {@code hyper} object: {@link ModelUpdates#meta}. */
    public static byte[] encodeMeta(ModelMeta meta) {
        return ModelUpdates.meta(meta, Map.of());
    }

    private static String text(JsonNode node, String field) {
        JsonNode x = node.get(field);
        return x == null || !x.isTextual() ? null : x.textValue();
    }

    private static double requiredNumber(JsonNode node, String field) throws MalformedRecordException {
        JsonNode x = node.get(field);
        if (x == null || !x.isNumber()) {
            throw new MalformedRecordException(field + " must be a number, got " + describe(x));
        }
        return x.doubleValue();
    }

    private static double optionalNumber(JsonNode node, String field, double absent) throws MalformedRecordException {
        JsonNode x = node.get(field);
        return x == null || x.isNull() ? absent : requiredNumber(node, field);
    }

    private static long requiredLong(JsonNode node, String field) throws MalformedRecordException {
        JsonNode x = node.get(field);
        if (x == null || !x.isIntegralNumber() || !x.canConvertToLong()) {
            throw new MalformedRecordException(field + " must be an integer, got " + describe(x));
        }
        return x.longValue();
    }

    private static long optionalLong(JsonNode node, String field) throws MalformedRecordException {
        JsonNode x = node.get(field);
        return x == null || x.isNull() ? 0L : requiredLong(node, field);
    }

    private static String describe(JsonNode x) {
        return x == null ? "nothing" : abbreviate(x.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
