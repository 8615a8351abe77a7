package io.streamrec.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes {@code model-updates} records as docs/contracts.md defines them:
 * key {@code user:<id>}, {@code item:<id>}, {@code mean:<partition>}, {@code mean:snapshot} or {@code meta};
 * value a JSON object whose {@code kind} (and {@code id}, or {@code partition}) must agree with the key; a null
 * value is a tombstone.
 *
 * <p>Decoding is strict about what the client uses (kind, id, bias, finite float factors, integral
 * non-negative version; sum and non-negative count of a mean record; model, factors and globalMean of the meta
 * record) and lenient about the rest
 * (unknown fields are ignored; {@code updates}, {@code updatedAt}, {@code eventTime}, {@code minLabel},
 * {@code maxLabel} are optional). Encoding exists for tests and tools that produce hand-made records.
 */
public final class ModelRecordCodec {
    /** Key of the metadata record. */
    public static final String META_KEY = "meta";
    /** Key prefix of the label-sum records, {@code mean:<partition>} and {@code mean:snapshot}. */
    public static final String MEAN_PREFIX = "mean:";
    /** Suffix of the label sums of the snapshot the model was seeded from; its partition is -1. */
    public static final String MEAN_SNAPSHOT = "snapshot";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ModelRecordCodec() {
    }

    /** Decodes one record; throws with a human-readable reason when it breaks the contract. */
    public static ModelUpdate decode(String key, byte[] value) throws MalformedRecordException {
        if (key == null) {
            throw new MalformedRecordException("record has no key");
        }
        if (key.startsWith(MEAN_PREFIX)) {
            return decodeMean(key, value);
        }
        RowKind keyKind = null;
        String keyId = null;
        if (!META_KEY.equals(key)) {
            int colon = key.indexOf(':');
            keyKind = colon < 0 ? null : rowKind(key.substring(0, colon));
            if (keyKind == null) {
                throw new MalformedRecordException("key must be user:<id>, item:<id>, mean:<partition> or meta, got '"
                        + abbreviate(key) + "'");
            }
            keyId = key.substring(colon + 1);
        }
        if (value == null) {
            return keyKind == null ? new ModelUpdate.MetaTombstone() : new ModelUpdate.RowTombstone(keyKind, keyId);
        }
        JsonNode node = object(key, value);
        String kind = text(node, "kind");
        if (keyKind == null) {
            if (!"meta".equals(kind)) {
                throw new MalformedRecordException("key 'meta' carries kind '" + kind + "'");
            }
            return new ModelUpdate.Meta(decodeMeta(node));
        }
        if (!keyKind.prefix().equals(kind)) {
            throw new MalformedRecordException("key '" + abbreviate(key) + "' carries kind '" + kind + "'");
        }
        String id = text(node, "id");
        if (!keyId.equals(id)) {
            throw new MalformedRecordException("key '" + abbreviate(key) + "' carries id '" + abbreviate(String.valueOf(id)) + "'");
        }
        return new ModelUpdate.Row(decodeRow(keyKind, id, node));
    }

    private static JsonNode object(String key, byte[] value) throws MalformedRecordException {
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new MalformedRecordException("value of key '" + abbreviate(key) + "' is not JSON: "
                    + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException("value of key '" + abbreviate(key) + "' is not a JSON object");
        }
        return node;
    }

    /** {@code mean:<partition>} ({@code partition >= 0}) or {@code mean:snapshot} (partition -1). */
    private static ModelUpdate decodeMean(String key, byte[] value) throws MalformedRecordException {
        String suffix = key.substring(MEAN_PREFIX.length());
        int partition;
        if (MEAN_SNAPSHOT.equals(suffix)) {
            partition = -1;
        } else {
            try {
                partition = Integer.parseInt(suffix);
            } catch (NumberFormatException e) {
                partition = -2;
            }
            if (partition < 0) {
                throw new MalformedRecordException("key must be mean:<partition> or mean:snapshot, got '"
                        + abbreviate(key) + "'");
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
            throw new MalformedRecordException(abbreviate(key) + ": expected a finite sum and a finite count >= 0, got "
                    + sum + " and " + count);
        }
        return new ModelUpdate.Mean(key, partition, sum, count);
    }

    private static RowKind rowKind(String prefix) {
        for (RowKind kind : RowKind.values()) {
            if (kind.prefix().equals(prefix)) {
                return kind;
            }
        }
        return null;
    }

    private static ModelKind modelKind(String id) {
        for (ModelKind kind : ModelKind.values()) {
            if (kind.id().equals(id)) {
                return kind;
            }
        }
        return null;
    }

    private static ModelRow decodeRow(RowKind kind, String id, JsonNode node) throws MalformedRecordException {
        JsonNode factorsNode = node.get("factors");
        if (factorsNode == null || !factorsNode.isArray()) {
            throw new MalformedRecordException(kind.prefix() + ":" + abbreviate(id) + ": factors must be an array");
        }
        float[] factors = new float[factorsNode.size()];
        for (int f = 0; f < factors.length; f++) {
            JsonNode x = factorsNode.get(f);
            if (!x.isNumber()) {
                throw new MalformedRecordException(kind.prefix() + ":" + abbreviate(id) + ": factor " + f + " is not a number");
            }
            factors[f] = (float) x.doubleValue();
        }
        try {
            return new ModelRow(kind, id, (float) requiredNumber(node, "bias"), factors, requiredLong(node, "version"),
                    optionalLong(node, "updates"), optionalLong(node, "updatedAt"), optionalLong(node, "eventTime"));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(kind.prefix() + ":" + abbreviate(id) + ": " + e.getMessage());
        }
    }

    private static ModelMeta decodeMeta(JsonNode node) throws MalformedRecordException {
        String name = text(node, "model");
        ModelKind model = modelKind(name);
        if (model == null) {
            throw new MalformedRecordException("meta: model must be biased-mf or logistic-mf, got '" + name + "'");
        }
        long factors = requiredLong(node, "factors");
        if (factors > Integer.MAX_VALUE) {
            throw new MalformedRecordException("meta: factors out of range: " + factors);
        }
        JsonNode snapshot = node.get("initSnapshot");
        try {
            return new ModelMeta(model, (int) factors, requiredNumber(node, "globalMean"), optionalLong(node, "globalCount"),
                    optionalNumber(node, "minLabel", Double.NEGATIVE_INFINITY),
                    optionalNumber(node, "maxLabel", Double.POSITIVE_INFINITY),
                    snapshot == null || snapshot.isNull() ? null : snapshot.asText(), optionalLong(node, "updatedAt"));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("meta: " + e.getMessage());
        }
    }

    /** Encodes a row value as the trainer writes it. */
    public static byte[] encodeRow(ModelRow row) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", row.kind().prefix());
        node.put("id", row.id());
        node.put("bias", row.bias());
        ArrayNode factors = node.putArray("factors");
        for (float x : row.factors()) {
            factors.add(x);
        }
        node.put("version", row.version());
        node.put("updates", row.updates());
        node.put("updatedAt", row.updatedAt());
        node.put("eventTime", row.eventTime());
        return bytes(node);
    }

    /** Encodes a {@code mean:<partition>} value as the trainer writes it ({@code partition} -1 for the snapshot). */
    public static byte[] encodeMean(int partition, double sum, double count) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", "mean");
        node.put("partition", partition);
        node.put("sum", sum);
        node.put("count", count);
        return bytes(node);
    }

    /** The key of the label sums of {@code partition}, or of the snapshot when it is -1. */
    public static String meanKey(int partition) {
        return MEAN_PREFIX + (partition < 0 ? MEAN_SNAPSHOT : Integer.toString(partition));
    }

    /** Encodes a meta value as the trainer writes it (with an empty {@code hyper} object). */
    public static byte[] encodeMeta(ModelMeta meta) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("kind", "meta");
        node.put("model", meta.model().id());
        node.put("factors", meta.factors());
        node.put("globalMean", meta.globalMean());
        node.put("globalCount", meta.globalCount());
        if (Double.isFinite(meta.minLabel())) {
            node.put("minLabel", meta.minLabel());
        }
        if (Double.isFinite(meta.maxLabel())) {
            node.put("maxLabel", meta.maxLabel());
        }
        node.putObject("hyper");
        node.put("initSnapshot", meta.initSnapshot());
        node.put("updatedAt", meta.updatedAt());
        return bytes(node);
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a tree of plain values", e);
        }
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
