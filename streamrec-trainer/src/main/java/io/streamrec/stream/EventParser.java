package io.streamrec.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Parses and validates the JSON value of an {@code interactions} record. Every way an event can be unusable maps
 * to one bounded reason code (a metric tag and a DLQ header), with a human-readable detail.
 */
public final class EventParser {
    /** Longest accepted user or item id, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    /** Reason codes of rejected events. */
    public static final String NOT_JSON = "not-json";

    public static final String MISSING_USER = "missing-user";
    public static final String MISSING_ITEM = "missing-item";
    public static final String ID_TOO_LONG = "id-too-long";
    public static final String BAD_LABEL = "bad-label";
    public static final String LABEL_OUT_OF_RANGE = "label-out-of-range";
    public static final String WRONG_TYPE = "wrong-type";
    public static final String BAD_WEIGHT = "bad-weight";

    // Schubfach float formatting and fast float parsing: row values dominate the bytes this code writes and reads.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private final float minLabel;
    private final float maxLabel;
    /** With a threshold ({@code model.positives}) any finite label is valid and becomes 1 or 0; else NaN. */
    private final float positives;

    public EventParser(float minLabel, float maxLabel) {
        this(minLabel, maxLabel, null);
    }

    /** {@code positives}: labels at least this become 1, the others 0 (any finite label is valid); null for none. */
    public EventParser(float minLabel, float maxLabel, Float positives) {
        this.minLabel = minLabel;
        this.maxLabel = maxLabel;
        this.positives = positives == null ? Float.NaN : positives;
    }

    /** The outcome: an event, or a reason and a detail. */
    public record Result(Event event, String reason, String detail) {
        public boolean ok() {
            return event != null;
        }

        static Result reject(String reason, String detail) {
            return new Result(null, reason, detail);
        }
    }

    public Result parse(byte[] value, long recordTimestamp) {
        if (value == null || value.length == 0) {
            return Result.reject(NOT_JSON, "empty value");
        }
        String user = null;
        String item = null;
        Double label = null;
        Long time = null;
        Double weight = null;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Result.reject(NOT_JSON, "value is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "user" -> {
                        user = idValue(p, v);
                        if (user == null) {
                            return Result.reject(
                                    WRONG_TYPE, "\"user\" must be a string or an integer, got " + shown(p, v));
                        }
                    }
                    case "item" -> {
                        item = idValue(p, v);
                        if (item == null) {
                            return Result.reject(
                                    WRONG_TYPE, "\"item\" must be a string or an integer, got " + shown(p, v));
                        }
                    }
                    case "label" -> {
                        if (v == JsonToken.VALUE_STRING) {
                            return Result.reject(
                                    BAD_LABEL, "\"label\" must be a number, got the string \"" + p.getText() + "\"");
                        }
                        if (!v.isNumeric()) {
                            return Result.reject(BAD_LABEL, "\"label\" must be a number, got " + v);
                        }
                        label = p.getDoubleValue();
                    }
                    case "timestamp" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            time = null;
                        } else if (v != JsonToken.VALUE_NUMBER_INT
                                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            // An integer beyond a long is valid JSON, so it is a wrong type, not "not-json".
                            return Result.reject(
                                    WRONG_TYPE,
                                    "\"timestamp\" must be epoch milliseconds (an integer" + " that fits a long), got "
                                            + (v == JsonToken.VALUE_NUMBER_INT ? p.getText() : v));
                        } else {
                            time = p.getLongValue();
                        }
                    }
                    case "weight" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            weight = null;
                        } else if (!v.isNumeric()) {
                            return Result.reject(BAD_WEIGHT, "\"weight\" must be a number, got " + v);
                        } else {
                            weight = p.getDoubleValue();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return Result.reject(NOT_JSON, "malformed JSON object");
            }
            if (p.nextToken() != null) {
                return Result.reject(NOT_JSON, "trailing content after the JSON object");
            }
        } catch (IOException | RuntimeException e) {
            return Result.reject(NOT_JSON, "not valid JSON: " + firstLine(e.getMessage()));
        }
        if (user == null || user.isEmpty()) {
            return Result.reject(MISSING_USER, "\"user\" is missing or empty");
        }
        if (item == null || item.isEmpty()) {
            return Result.reject(MISSING_ITEM, "\"item\" is missing or empty");
        }
        if (user.length() > MAX_ID_LENGTH || item.length() > MAX_ID_LENGTH) {
            return Result.reject(
                    ID_TOO_LONG,
                    "ids must be at most " + MAX_ID_LENGTH + " characters, got user " + user.length() + ", item "
                            + item.length());
        }
        if (label == null) {
            return Result.reject(BAD_LABEL, "\"label\" is missing");
        }
        if (!Double.isFinite(label)) {
            return Result.reject(BAD_LABEL, "\"label\" must be finite, got " + label);
        }
        if (!Float.isNaN(positives)) {
            label = label >= positives ? 1.0 : 0.0;
        } else if (label < minLabel || label > maxLabel) {
            return Result.reject(
                    LABEL_OUT_OF_RANGE,
                    "\"label\" " + label + " is outside the model's range [" + minLabel + ", " + maxLabel + "]");
        }
        double w = weight == null ? 1.0 : weight;
        if (!Double.isFinite(w) || w < 0) {
            return Result.reject(BAD_WEIGHT, "\"weight\" must be finite and >= 0, got " + w);
        }
        long eventTime = time == null ? recordTimestamp : time;
        return new Result(new Event(user, item, label.floatValue(), (float) w, eventTime, recordTimestamp), null, null);
    }

    /**
     * An id as a string. An integer counts as its decimal string, so {@code 7} and {@code "7"} are the same user
     * ({@code -0} is {@code "0"}); any other number ({@code 7.5}, {@code 7.0}, {@code 1e3}) is null, a wrong type,
     * since an id that went through floating point may no longer be the id that was meant.
     */
    private static String idValue(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NUMBER_INT) {
            return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue().toString()
                    : Long.toString(p.getLongValue());
        }
        return null;
    }

    /** How a value of the wrong type reads in a detail: numbers and booleans as written, the rest by kind. */
    private static String shown(JsonParser p, JsonToken v) throws IOException {
        return v.isScalarValue()
                ? p.getText()
                : v == JsonToken.START_OBJECT ? "an object" : v == JsonToken.START_ARRAY ? "an array" : v.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
