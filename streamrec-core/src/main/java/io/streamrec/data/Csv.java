package io.streamrec.data;

import java.util.ArrayList;
import java.util.List;

/** RFC 4180 field splitting for one line; the readers here never need multi-line quoted fields. */
final class Csv {

    private Csv() {}

    /**
     * Splits one line on commas, honouring double-quoted fields ({@code "Heat, The (1995)"}) and doubled quotes
     * inside them ({@code ""}).
     *
     * @throws IllegalArgumentException when a quoted field is not closed or a closing quote is followed by text
     */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>(8);
        if (line.indexOf('"') < 0) {
            // Fast path: the common unquoted line, split with indexOf.
            int start = 0;
            while (true) {
                int comma = line.indexOf(',', start);
                if (comma < 0) {
                    fields.add(line.substring(start));
                    return fields;
                }
                fields.add(line.substring(start, comma));
                start = comma + 1;
            }
        }
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("quoted field is not closed");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new IllegalArgumentException("text after the closing quote of field " + (fields.size() + 1));
                }
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                field.append(line, i, end);
                i = end;
            }
            fields.add(field.toString());
            if (i >= n) {
                return fields;
            }
            i++; // skip the comma
            if (i == n) {
                fields.add("");
                return fields;
            }
        }
    }

    /** True when the text is a plain decimal number ({@code 3}, {@code -0.5}, {@code 4.5e0}), without NaN or hex. */
    static boolean isDecimal(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        boolean digit = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
                return false;
            }
        }
        return digit;
    }

    /** Quotes a value for an error message, cutting it short so one bad line cannot flood the terminal. */
    static String show(String value) {
        String v = value.length() > 40 ? value.substring(0, 37) + "..." : value;
        return "\"" + v + "\"";
    }
}
