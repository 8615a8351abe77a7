package io.streamrec.stream;

import java.util.List;
import java.util.Map;

/** Typed reads of string settings, with errors that name the setting and say what was expected and what came. */
final class SettingParser {
    private final Map<String, String> values;

    SettingParser(Map<String, String> values) {
        this.values = values;
    }

    /** The value as given, null when unset. */
    String text(String key) {
        return values.get(key);
    }

    /** The value, which must be one of {@code allowed}: "key must be a, b or c, got "x"" otherwise. */
    String choice(String key, String... allowed) {
        String v = values.get(key);
        if (!List.of(allowed).contains(v)) {
            String last = allowed[allowed.length - 1];
            String rest = String.join(", ", List.of(allowed).subList(0, allowed.length - 1));
            throw new IllegalArgumentException(
                    key + " must be " + (rest.isEmpty() ? last : rest + " or " + last) + ", got \"" + v + "\"");
        }
        return v;
    }

    int integer(String key) {
        String s = values.get(key);
        try {
            return Integer.parseInt(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + s + "\"", e);
        }
    }

    long longInt(String key) {
        String s = values.get(key);
        try {
            return Long.parseLong(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + s + "\"", e);
        }
    }

    int positiveInt(String key) {
        int v = integer(key);
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + v);
        }
        return v;
    }

    Integer optionalInt(String key) {
        return values.containsKey(key) ? integer(key) : null;
    }

    Long optionalLong(String key) {
        String s = values.get(key);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + s + "\"", e);
        }
    }

    Double optionalDouble(String key) {
        String s = values.get(key);
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got \"" + s + "\"", e);
        }
    }

    /** true or false (any case), null when unset. */
    Boolean optionalBoolean(String key) {
        String s = values.get(key);
        if (s == null) {
            return null;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got \"" + s + "\"");
        };
    }

    Float optionalFloat(String key) {
        Double d = optionalDouble(key);
        return d == null ? null : d.floatValue();
    }
}
