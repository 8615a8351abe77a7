package io.streamrec.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which CSV columns hold the user, the item, the label and (optionally) the timestamp.
 *
 * <p>Exported interaction logs rarely use MovieLens' {@code userId,movieId,rating,timestamp}, so the columns are
 * named by their header ({@link #named}) or, for files without a header row, by 0-based position
 * ({@link #positional}). {@link #parse} reads both spellings from one command-line string.
 *
 * @param user      header name of the user column, or its 0-based index when {@code header} is false
 * @param item      header name of the item column, or its index
 * @param label     header name of the rating/label column, or its index
 * @param timestamp header name or index of the timestamp column; null when the file has none (timestamps become 0)
 * @param unit      unit of the timestamps in the file
 * @param header    whether the first non-empty line is a header row
 */
public record CsvColumns(String user, String item, String label, String timestamp, TimestampUnit unit, boolean header) {

    /** MovieLens "latest" / 25M {@code ratings.csv}: header {@code userId,movieId,rating,timestamp}, seconds. */
    public static final CsvColumns DEFAULT =
            new CsvColumns("userId", "movieId", "rating", "timestamp", TimestampUnit.SECONDS, true);

    public CsvColumns {
        requireName("user", user);
        requireName("item", item);
        requireName("label", label);
        if (timestamp != null) {
            requireName("timestamp", timestamp);
        }
        if (unit == null) {
            throw new IllegalArgumentException("timestamp unit must be given, got null");
        }
        if (!header) {
            for (String index : timestamp == null
                    ? new String[] {user, item, label}
                    : new String[] {user, item, label, timestamp}) {
                if (!index.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException(
                            "without a header row columns are 0-based positions, got \"" + index + "\"");
                }
            }
        }
        String[] all =
                timestamp == null ? new String[] {user, item, label} : new String[] {user, item, label, timestamp};
        String[] lower = Arrays.stream(all)
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .distinct()
                .toArray(String[]::new);
        if (lower.length != all.length) {
            throw new IllegalArgumentException(
                    "user, item, label and timestamp columns must differ, got " + Arrays.toString(all));
        }
    }

    private static void requireName(String role, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    role + " column must be named, got " + (name == null ? "null" : "\"" + name + "\""));
        }
    }

    /** Columns found by header name; {@code timestamp} may be null. Timestamps in seconds. */
    public static CsvColumns named(String user, String item, String label, String timestamp) {
        return new CsvColumns(user, item, label, timestamp, TimestampUnit.SECONDS, true);
    }

    /** Columns by 0-based position in a file without a header row; {@code timestamp < 0} means none. */
    public static CsvColumns positional(int user, int item, int label, int timestamp) {
        if (user < 0 || item < 0 || label < 0) {
            throw new IllegalArgumentException("column positions must be >= 0, got " + user + "," + item + "," + label);
        }
        return new CsvColumns(
                String.valueOf(user),
                String.valueOf(item),
                String.valueOf(label),
                timestamp < 0 ? null : String.valueOf(timestamp),
                TimestampUnit.SECONDS,
                false);
    }

    /**
     * Parses {@code user,item,label[,timestamp]}: all digits means positions in a header-less file
     * ({@code 0,1,2,3}), otherwise header names ({@code customer,sku,clicked,ts}). Timestamps in seconds.
     */
    public static CsvColumns parse(String spec) {
        String[] parts = spec.split(",", -1);
        if (parts.length < 3 || parts.length > 4) {
            throw new IllegalArgumentException(
                    "columns must be user,item,label[,timestamp] (names or 0-based positions), got \"" + spec + "\"");
        }
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].trim();
        }
        boolean positional =
                Arrays.stream(parts).allMatch(p -> !p.isEmpty() && p.chars().allMatch(Character::isDigit));
        return new CsvColumns(
                parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : null, TimestampUnit.SECONDS, !positional);
    }

    /** The same columns with timestamps read in another unit. */
    public CsvColumns withUnit(TimestampUnit newUnit) {
        return new CsvColumns(user, item, label, timestamp, newUnit, header);
    }

    @Override
    public String toString() {
        return user + "," + item + "," + label + (timestamp == null ? "" : "," + timestamp) + " ("
                + (header ? "header names" : "positions") + ", " + unit.name().toLowerCase(Locale.ROOT) + ")";
    }
}
