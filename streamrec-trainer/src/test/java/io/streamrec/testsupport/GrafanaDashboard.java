package io.streamrec.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads grafana/dashboards/streamrec.json and takes the metric names out of its PromQL. */
public final class GrafanaDashboard {
    public static final Path FILE = RepositoryFiles.resolve("grafana", "dashboards", "streamrec.json");
    public static final Path DATASOURCE =
            RepositoryFiles.resolve("grafana", "provisioning", "datasources", "prometheus.yml");

    private static final Set<String> KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "offset",
            "bool",
            "and",
            "or",
            "unless",
            "atan2",
            "inf",
            "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private GrafanaDashboard() {}

    public static JsonNode load() {
        try {
            return new ObjectMapper().readTree(FILE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An expression as Grafana sends it: {@code $application} and {@code $instance} (regex matchers) and
     * {@code $__rate_interval} replaced by the given values.
     */
    public static String resolve(String expr, String application, String instance, String rateInterval) {
        return expr.replace("$application", application)
                .replace("$instance", instance)
                .replace("$__rate_interval", rateInterval);
    }

    /** Whether a panel is a row (a heading that groups panels; it has no query). */
    public static boolean isRow(JsonNode panel) {
        return "row".equals(panel.path("type").asText());
    }

    /** Every panel that shows data: panels nested in rows included, rows themselves left out. */
    public static List<JsonNode> dataPanels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : panels(dashboard)) {
            if (!isRow(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every panel, including panels nested in rows. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** Every target expression, in panel order. */
    public static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels(dashboard)) {
            for (JsonNode t : p.path("targets")) {
                if (t.hasNonNull("expr")) {
                    out.add(t.get("expr").asText());
                }
            }
        }
        return out;
    }

    /**
     * Metric names in a PromQL expression: identifiers left after removing strings, label matchers, ranges and
     * grouping clauses, that are not function calls, keywords or numbers.
     */
    public static Set<String> metricNames(String promql) {
        String s = STRING.matcher(promql).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            boolean partOfNumber =
                    m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
            if (!call && !partOfNumber && !KEYWORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }

    /** Names of the samples in a Prometheus text exposition. */
    public static Set<String> exposedNames(String exposition) {
        Set<String> names = new LinkedHashSet<>();
        exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
            int end = 0;
            while (end < l.length() && l.charAt(end) != '{' && l.charAt(end) != ' ') {
                end++;
            }
            names.add(l.substring(0, end));
        });
        return names;
    }
}
