package io.streamrec.data;

import java.util.List;

/**
 * The layouts of ratings files streamrec reads. Timestamps in these files count seconds (CSV may say otherwise
 * through {@link CsvColumns#unit()}); {@link Rating#timestamp()} is always epoch milliseconds.
 *
 * <p>{@link #detect} lets users point the tools at a MovieLens download without saying which release it is.
 */
public enum RatingFormat {
    /** MovieLens 100K {@code u.data}: {@code user<TAB>item<TAB>rating<TAB>unixSeconds}. */
    ML100K,
    /** MovieLens 1M/10M {@code ratings.dat}: {@code user::item::rating::unixSeconds}. */
    ML1M,
    /** Comma-separated values, by default MovieLens "latest" {@code userId,movieId,rating,timestamp} with a header. */
    CSV;

    /**
     * Guesses the format from the first line of content: {@code ::} means ML1M, four tab-separated fields with a
     * numeric rating and timestamp mean ML100K, commas mean CSV (normally with a header; a header-less file is
     * reported by the reader unless positional {@link CsvColumns} are given).
     *
     * @param firstLines the first non-empty lines of the file, at least one
     * @throws IllegalArgumentException naming what was expected and quoting what came
     */
    public static RatingFormat detect(List<String> firstLines) {
        if (firstLines.isEmpty()) {
            throw new IllegalArgumentException("file has no lines to detect the format from");
        }
        String line = firstLines.get(0);
        if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
            line = line.substring(1);
        }
        if (line.contains("::")) {
            return ML1M;
        }
        if (line.indexOf('\t') >= 0) {
            String[] f = line.split("\t", -1);
            if (f.length == 4 && Csv.isDecimal(f[2].trim()) && isWhole(f[3].trim())) {
                return ML100K;
            }
            throw new IllegalArgumentException("tab-separated line 1 is not user<TAB>item<TAB>rating<TAB>unixSeconds: "
                    + Csv.show(line.replace("\t", "\\t")));
        }
        if (line.indexOf(',') >= 0) {
            return CSV;
        }
        throw new IllegalArgumentException("cannot tell the format from line 1 " + Csv.show(line)
                + "; expected user<TAB>item<TAB>rating<TAB>seconds (ML-100K), user::item::rating::seconds (ML-1M)"
                + " or comma-separated values with a header (CSV)");
    }

    private static boolean isWhole(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && !(i == 0 && c == '-' && s.length() > 1)) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code auto|ml100k|ml-100k|ml1m|ml-1m|csv}; {@code auto} gives null (detect from content). */
    public static RatingFormat parseOrAuto(String text) {
        String t =
                text.trim().toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
        switch (t) {
            case "auto":
                return null;
            case "ml100k":
                return ML100K;
            case "ml1m":
            case "ml10m":
                return ML1M;
            case "csv":
                return CSV;
            default:
                throw new IllegalArgumentException("format must be auto, ml100k, ml1m or csv, got \"" + text + "\"");
        }
    }
}
