package io.streamrec.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads prometheus/alerts.yml just enough for tests: each alert's name and PromQL expression (one line, or a
 * {@code |} block). promtool itself checks the file's syntax ({@code AlertRulesTest}).
 */
public final class AlertRules {
    public static final Path FILE = RepositoryFiles.resolve("prometheus", "alerts.yml");
    public static final Path TESTS = RepositoryFiles.resolve("prometheus", "alerts.test.yml");

    private static final Pattern ALERT = Pattern.compile("^\\s*-\\s*alert:\\s*(\\S+)\\s*$");
    private static final Pattern EXPR = Pattern.compile("^(\\s*)expr:\\s*(.*)$");

    private AlertRules() {}

    /** Alert name to expression, in file order. */
    public static Map<String, String> expressions() {
        List<String> lines;
        try {
            lines = Files.readAllLines(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        String alert = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher a = ALERT.matcher(lines.get(i));
            if (a.matches()) {
                alert = a.group(1);
                continue;
            }
            Matcher e = EXPR.matcher(lines.get(i));
            if (alert == null || !e.matches()) {
                continue;
            }
            String inline = e.group(2).strip();
            if (!inline.equals("|")) {
                out.put(alert, inline);
                continue;
            }
            int indent = e.group(1).length();
            StringBuilder block = new StringBuilder();
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || leading(lines.get(i + 1)) > indent)) {
                block.append(lines.get(++i).strip()).append('\n');
            }
            out.put(alert, block.toString().strip());
        }
        return out;
    }

    private static int leading(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
