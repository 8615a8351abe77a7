package io.streamrec.data;

/**
 * Unit of the timestamps in a ratings file. MovieLens files count seconds; logs exported from other systems often
 * count milliseconds, and mixing the two silently would put every event in 1970 or in the year 50000.
 */
public enum TimestampUnit {
    SECONDS(1000L),
    MILLIS(1L);

    private final long toMillis;

    TimestampUnit(long toMillis) {
        this.toMillis = toMillis;
    }

    /**
     * Converts a value in this unit to epoch milliseconds.
     *
     * @throws ArithmeticException when the result does not fit in a long
     */
    public long toMillis(long value) {
        return Math.multiplyExact(value, toMillis);
    }

    /** Parses {@code seconds|s|millis|ms} (case-insensitive), for command-line options. */
    public static TimestampUnit parse(String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "seconds":
            case "second":
            case "s":
            case "sec":
                return SECONDS;
            case "millis":
            case "milliseconds":
            case "ms":
                return MILLIS;
            default:
                throw new IllegalArgumentException("timestamp unit must be seconds or millis, got \"" + text + "\"");
        }
    }
}
