package io.streamrec.data;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads item titles so recommendations can be shown as "Star Wars (1977)" rather than "50".
 *
 * <p>Three layouts, told apart by the first line: MovieLens 100K {@code u.item} ({@code id|title|date|...},
 * ISO-8859-1), MovieLens 1M {@code movies.dat} ({@code id::title::genres}, ISO-8859-1) and MovieLens "latest"
 * {@code movies.csv} (header {@code movieId,title,genres}, UTF-8, titles with commas quoted). The old MovieLens
 * files are Latin-1; reading them as UTF-8 would turn "Café" into replacement characters.
 */
public final class ItemTitles {

    private ItemTitles() {}

    /**
     * Reads an item file into an unmodifiable id -&gt; title map in file order.
     *
     * @throws RatingFileException when the file is missing, unreadable, in no known layout, or has a bad line
     */
    public static Map<String, String> read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new RatingFileException(path, 0, "no such file");
        } catch (IOException e) {
            throw new RatingFileException(path, 0, "cannot read: " + e, e);
        }
        // Latin-1 decodes any byte, so it is safe for sniffing the ASCII delimiters.
        String first =
                firstNonEmptyLine(new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1));
        if (first == null) {
            throw new RatingFileException(path, 0, "file is empty; expected item titles");
        }
        // "::" first: movies.dat separates its genres with '|'.
        if (first.contains("::")) {
            return parse(path, decode(bytes, StandardCharsets.ISO_8859_1), Layout.COLONS);
        }
        if (first.indexOf('|') >= 0) {
            return parse(path, decode(bytes, StandardCharsets.ISO_8859_1), Layout.PIPE);
        }
        if (first.indexOf(',') >= 0) {
            return parse(path, decode(bytes, StandardCharsets.UTF_8), Layout.CSV);
        }
        throw new RatingFileException(
                path,
                0,
                "cannot tell the layout from line 1 " + Csv.show(first)
                        + "; expected id|title|... (u.item), id::title::genres (movies.dat) or a CSV header movieId,title,...");
    }

    private enum Layout {
        PIPE,
        COLONS,
        CSV
    }

    private static String decode(byte[] bytes, Charset charset) {
        String s = new String(bytes, charset);
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    private static String firstNonEmptyLine(String text) {
        for (String line : text.split("\r?\n")) {
            if (!line.isBlank()) {
                return line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
            }
        }
        return null;
    }

    private static Map<String, String> parse(Path path, String text, Layout layout) {
        Map<String, String> titles = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        int idColumn = 0;
        int titleColumn = 1;
        boolean header = layout == Layout.CSV;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            long lineNo = n + 1L;
            if (line.isBlank()) {
                continue;
            }
            if (header) {
                List<String> names = split(path, lineNo, line, layout);
                idColumn = indexOf(names, "movieid", "itemid", "item", "id");
                titleColumn = indexOf(names, "title");
                if (titleColumn < 0) {
                    throw new RatingFileException(
                            path, lineNo, "header has no column \"title\" (columns: " + String.join(", ", names) + ")");
                }
                if (idColumn < 0) {
                    idColumn = 0;
                }
                header = false;
                continue;
            }
            List<String> fields = split(path, lineNo, line, layout);
            int needed = Math.max(idColumn, titleColumn) + 1;
            if (fields.size() < needed) {
                throw new RatingFileException(
                        path, lineNo, "expected at least " + needed + " fields (id and title), found " + fields.size());
            }
            String id = fields.get(idColumn).trim();
            if (id.isEmpty()) {
                throw new RatingFileException(path, lineNo, "item id is empty");
            }
            titles.put(id, fields.get(titleColumn).trim());
        }
        return Collections.unmodifiableMap(titles);
    }

    private static List<String> split(Path path, long lineNo, String line, Layout layout) {
        switch (layout) {
            case PIPE:
                return List.of(line.split("\\|", -1));
            case COLONS:
                return List.of(line.split("::", -1));
            default:
                try {
                    return Csv.split(line);
                } catch (IllegalArgumentException e) {
                    throw new RatingFileException(path, lineNo, e.getMessage());
                }
        }
    }

    private static int indexOf(List<String> names, String... wanted) {
        for (String w : wanted) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).trim().toLowerCase(Locale.ROOT).equals(w)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
