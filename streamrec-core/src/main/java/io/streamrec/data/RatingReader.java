package io.streamrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Reads ratings files (MovieLens 100K, 1M, CSV) into {@link Rating}s for offline training, evaluation and for
 * replaying a file into the {@code interactions} topic.
 *
 * <p>Lines are split with {@code indexOf} rather than a regex, because the files run to millions of lines and
 * the reader sits in front of every offline experiment. A bad line stops a strict read with a
 * {@link RatingFileException} saying {@code file:line: problem}; with {@link #withSkipInvalid(boolean)} such lines
 * are counted and the first few problems kept in the {@link ReadSummary}. Empty lines are ignored.
 * Files are decoded as UTF-8 (MovieLens ratings files are ASCII). Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * List<Rating> all = RatingReader.readAll(Path.of("u.data"));                 // strict, format detected
 * ReadResult r = new RatingReader().withSkipInvalid(true).read(path);         // lenient
 * new RatingReader().withFormat(RatingFormat.CSV)
 *         .withCsvColumns(CsvColumns.parse("0,1,2,3").withUnit(TimestampUnit.MILLIS))
 *         .forEach(path, producer::send);                                       // streaming
 * }</pre>
 */
public final class RatingReader {

    /** How many problems a lenient read keeps for its report unless told otherwise. */
    public static final int DEFAULT_MAX_ERRORS = 5;

    private static final int SNIFF_LINES = 5;

    private final RatingFormat format;
    private final CsvColumns csvColumns;
    private final boolean skipInvalid;
    private final int maxErrors;

    /** A strict reader that detects the format and reads CSV with {@link CsvColumns#DEFAULT}. */
    public RatingReader() {
        this(null, CsvColumns.DEFAULT, false, DEFAULT_MAX_ERRORS);
    }

    private RatingReader(RatingFormat format, CsvColumns csvColumns, boolean skipInvalid, int maxErrors) {
        this.format = format;
        this.csvColumns = csvColumns;
        this.skipInvalid = skipInvalid;
        this.maxErrors = maxErrors;
    }

    /** Reads {@code path} strictly with the format detected from its content. */
    public static List<Rating> readAll(Path path) {
        return new RatingReader().read(path).ratings();
    }

    /** This reader with a fixed format; null means detect it from the content. */
    public RatingReader withFormat(RatingFormat newFormat) {
        return new RatingReader(newFormat, csvColumns, skipInvalid, maxErrors);
    }

    /** This reader with other CSV columns (used when the format is, or is detected as, CSV). */
    public RatingReader withCsvColumns(CsvColumns columns) {
        if (columns == null) {
            throw new IllegalArgumentException("CSV columns must be given, got null");
        }
        return new RatingReader(format, columns, skipInvalid, maxErrors);
    }

    /** This reader, counting and skipping bad lines ({@code true}) or stopping at the first one ({@code false}). */
    public RatingReader withSkipInvalid(boolean skip) {
        return new RatingReader(format, csvColumns, skip, maxErrors);
    }

    /** This reader, keeping at most {@code max} problem messages in a lenient read. */
    public RatingReader withMaxErrors(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max errors must be >= 0, got " + max);
        }
        return new RatingReader(format, csvColumns, skipInvalid, max);
    }

    /**
     * Reads the whole file into memory, in file order.
     *
     * @throws RatingFileException on a bad line (strict mode), an unknown format, a missing CSV column, or I/O failure
     */
    public ReadResult read(Path path) {
        List<Rating> out = new ArrayList<>(1 << 16);
        // Each distinct id held once: a file repeats every id on many lines, and a string per line and id was most
        // of the memory of the ratings read (about 100 of 140 bytes a rating with ids of a few characters). The map
        // lives for the read only; forEach streams and keeps no such map, as it keeps no ratings.
        Map<String, String> ids = new HashMap<>();
        ReadSummary summary = forEach(path, out::add, id -> {
            String seen = ids.putIfAbsent(id, id);
            return seen != null ? seen : id;
        });
        return new ReadResult(out, summary);
    }

    /**
     * Streams the ratings of the file to {@code sink} in file order, without holding them in memory.
     *
     * @throws RatingFileException on a bad line (strict mode), an unknown format, a missing CSV column, or I/O failure
     */
    public ReadSummary forEach(Path path, Consumer<? super Rating> sink) {
        return forEach(path, sink, UnaryOperator.identity());
    }

    /** {@link #forEach(Path, Consumer)} with each user and item id passed through {@code ids} (to share them). */
    private ReadSummary forEach(Path path, Consumer<? super Rating> sink, UnaryOperator<String> ids) {
        RatingFormat used = format != null ? format : detect(path);
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8), 1 << 16)) {
            LineParser parser = used == RatingFormat.CSV ? new CsvParser(csvColumns, ids) : new FixedParser(used, ids);
            long lineNo = 0;
            long accepted = 0;
            long skipped = 0;
            List<String> errors = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (parser.wantsHeader()) {
                    parser.header(path, lineNo, line);
                    continue;
                }
                Rating rating;
                try {
                    rating = parser.parse(line);
                } catch (BadLine bad) {
                    if (!skipInvalid) {
                        throw new RatingFileException(path, lineNo, bad.getMessage());
                    }
                    skipped++;
                    if (errors.size() < maxErrors) {
                        errors.add(RatingFileException.format(String.valueOf(path), lineNo, bad.getMessage()));
                    }
                    continue;
                }
                sink.accept(rating);
                accepted++;
            }
            if (parser.wantsHeader() && used == RatingFormat.CSV) {
                throw new RatingFileException(path, 0, "file is empty; expected a CSV header row");
            }
            return new ReadSummary(used, accepted, skipped, errors);
        } catch (NoSuchFileException e) {
            throw new RatingFileException(path, 0, "no such file");
        } catch (IOException e) {
            throw new RatingFileException(path, 0, "cannot read: " + e, e);
        }
    }

    /**
     * Detects the format of a file from its first non-empty lines (see {@link RatingFormat#detect}).
     *
     * @throws RatingFileException when the file is empty, unreadable or in no known format
     */
    public static RatingFormat detect(Path path) {
        List<String> sample = new ArrayList<>(SNIFF_LINES);
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8))) {
            String line;
            while (sample.size() < SNIFF_LINES && (line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    sample.add(line);
                }
            }
        } catch (NoSuchFileException e) {
            throw new RatingFileException(path, 0, "no such file");
        } catch (IOException e) {
            throw new RatingFileException(path, 0, "cannot read: " + e, e);
        }
        if (sample.isEmpty()) {
            throw new RatingFileException(path, 0, "file is empty; no ratings to detect the format from");
        }
        try {
            return RatingFormat.detect(sample);
        } catch (IllegalArgumentException e) {
            throw new RatingFileException(path, 0, e.getMessage());
        }
    }

    /**
     * Returns a copy of the ratings ordered by timestamp; ties keep their file order (the sort is stable), so a
     * replay of the result is deterministic.
     */
    public static List<Rating> sortByTime(List<Rating> ratings) {
        List<Rating> sorted = new ArrayList<>(ratings);
        sorted.sort(Comparator.comparingLong(Rating::timestamp));
        return sorted;
    }

    /** A line that cannot become a rating; no stack trace, it only carries the message. */
    private static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String message) {
            super(message, null, false, false);
        }
    }

    private interface LineParser {
        default boolean wantsHeader() {
            return false;
        }

        default void header(Path path, long lineNo, String line) {}

        Rating parse(String line) throws BadLine;
    }

    /** ML-100K and ML-1M: exactly four fields around a fixed separator. */
    private static final class FixedParser implements LineParser {
        private final String separator;
        private final String shape;
        private final String[] fields = new String[4];

        private final UnaryOperator<String> ids;

        FixedParser(RatingFormat format, UnaryOperator<String> ids) {
            this.ids = ids;
            this.separator = format == RatingFormat.ML100K ? "\t" : "::";
            this.shape = format == RatingFormat.ML100K
                    ? "tab-separated fields (user, item, rating, timestamp)"
                    : "'::'-separated fields (user::item::rating::timestamp)";
        }

        @Override
        public Rating parse(String line) throws BadLine {
            int count = 0;
            int start = 0;
            int sepLen = separator.length();
            while (true) {
                int at = line.indexOf(separator, start);
                int end = at < 0 ? line.length() : at;
                if (count < 4) {
                    fields[count] = line.substring(start, end);
                }
                count++;
                if (at < 0) {
                    break;
                }
                start = at + sepLen;
            }
            if (count != 4) {
                throw new BadLine("expected 4 " + shape + ", found " + count);
            }
            return toRating(fields[0], fields[1], fields[2], "rating", fields[3], TimestampUnit.SECONDS, ids);
        }
    }

    /** CSV: columns found by header name or position. */
    private static final class CsvParser implements LineParser {
        private final CsvColumns columns;
        private boolean needHeader;
        private int user = -1;
        private int item = -1;
        private int label = -1;
        private int time = -1;
        private int minFields;

        private final UnaryOperator<String> ids;

        CsvParser(CsvColumns columns, UnaryOperator<String> ids) {
            this.ids = ids;
            this.columns = columns;
            this.needHeader = columns.header();
            if (!columns.header()) {
                user = Integer.parseInt(columns.user());
                item = Integer.parseInt(columns.item());
                label = Integer.parseInt(columns.label());
                time = columns.timestamp() == null ? -1 : Integer.parseInt(columns.timestamp());
                minFields = 1 + Math.max(Math.max(user, item), Math.max(label, time));
            }
        }

        @Override
        public boolean wantsHeader() {
            return needHeader;
        }

        @Override
        public void header(Path path, long lineNo, String line) {
            List<String> names;
            try {
                names = Csv.split(line);
            } catch (IllegalArgumentException e) {
                throw new RatingFileException(path, lineNo, "header: " + e.getMessage());
            }
            if (names.stream().allMatch(n -> Csv.isDecimal(n.trim()))) {
                throw new RatingFileException(
                        path,
                        lineNo,
                        "this looks like data, not a header row (expected columns " + expected()
                                + "); for a file without a header give the columns by position, e.g. 0,1,2,3");
            }
            user = find(path, lineNo, names, columns.user());
            item = find(path, lineNo, names, columns.item());
            label = find(path, lineNo, names, columns.label());
            time = columns.timestamp() == null ? -1 : find(path, lineNo, names, columns.timestamp());
            minFields = 1 + Math.max(Math.max(user, item), Math.max(label, time));
            needHeader = false;
        }

        private String expected() {
            return columns.user() + ", " + columns.item() + ", " + columns.label()
                    + (columns.timestamp() == null ? "" : ", " + columns.timestamp());
        }

        private static int find(Path path, long lineNo, List<String> names, String wanted) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).trim().equals(wanted)) {
                    return i;
                }
            }
            String lower = wanted.toLowerCase(Locale.ROOT);
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).trim().toLowerCase(Locale.ROOT).equals(lower)) {
                    return i;
                }
            }
            throw new RatingFileException(
                    path,
                    lineNo,
                    "header has no column \"" + wanted + "\" (columns: " + String.join(", ", names) + ")");
        }

        @Override
        public Rating parse(String line) throws BadLine {
            List<String> f;
            try {
                f = Csv.split(line);
            } catch (IllegalArgumentException e) {
                throw new BadLine(e.getMessage());
            }
            if (f.size() < minFields) {
                throw new BadLine("expected at least " + minFields + " comma-separated fields, found " + f.size());
            }
            String labelName = columns.header() ? columns.label() : "rating";
            return toRating(
                    f.get(user),
                    f.get(item),
                    f.get(label),
                    labelName,
                    time < 0 ? null : f.get(time),
                    columns.unit(),
                    ids);
        }
    }

    private static Rating toRating(
            String user,
            String item,
            String labelText,
            String labelName,
            String timeText,
            TimestampUnit unit,
            UnaryOperator<String> ids)
            throws BadLine {
        String u = user.trim();
        if (u.isEmpty()) {
            throw new BadLine("user id is empty");
        }
        String i = item.trim();
        if (i.isEmpty()) {
            throw new BadLine("item id is empty");
        }
        String l = labelText.trim();
        if (!Csv.isDecimal(l)) {
            throw new BadLine(labelName + " " + Csv.show(labelText) + " is not a number");
        }
        float label;
        try {
            label = Float.parseFloat(l);
        } catch (NumberFormatException e) {
            throw new BadLine(labelName + " " + Csv.show(labelText) + " is not a number");
        }
        if (!Float.isFinite(label)) {
            throw new BadLine(labelName + " " + Csv.show(labelText) + " is not a finite number");
        }
        long millis = 0;
        if (timeText != null) {
            String t = timeText.trim();
            long value;
            try {
                value = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new BadLine("timestamp " + Csv.show(timeText) + " is not a whole number of "
                        + unit.name().toLowerCase(Locale.ROOT));
            }
            if (value < 0) {
                throw new BadLine("timestamp " + Csv.show(timeText) + " is negative");
            }
            try {
                millis = unit.toMillis(value);
            } catch (ArithmeticException e) {
                throw new BadLine("timestamp " + Csv.show(timeText) + " is too large");
            }
        }
        return new Rating(ids.apply(u), ids.apply(i), label, millis, 1f);
    }
}
