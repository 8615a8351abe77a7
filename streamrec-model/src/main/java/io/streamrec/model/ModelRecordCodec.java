package io.streamrec.model;

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
            throw new MalformedRecordException(
                    "key '" + abbreviate(key) + "' carries id '" + abbreviate(String.valueOf(id)) + "'");
        }
        return new ModelUpdate.Row(decodeRow(keyKind, id, node));
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

    private static ModelRow decodeRow(RowKind kind, String id, JsonNode node) throws MalformedRecordException {
        JsonNode factorsNode = node.get("factors");
        if (factorsNode == null || !factorsNode.isArray()) {
            throw new MalformedRecordException(kind.prefix() + ":" + abbreviate(id) + ": factors must be an array");
        }
        float[] factors = new float[factorsNode.size()];
        for (int f = 0; f < factors.length; f++) {
            JsonNode x = factorsNode.get(f);
            if (!x.isNumber()) {
                throw new MalformedRecordException(
                        kind.prefix() + ":" + abbreviate(id) + ": factor " + f + " is not a number");
            }
            factors[f] = (float) x.doubleValue();
        }
        try {
            return new ModelRow(
                    kind,
                    id,
                    (float) requiredNumber(node, "bias"),
                    factors,
                    requiredLong(node, "version"),
                    optionalLong(node, "updates"),
                    optionalLong(node, "updatedAt"),
                    optionalLong(node, "eventTime"));
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
