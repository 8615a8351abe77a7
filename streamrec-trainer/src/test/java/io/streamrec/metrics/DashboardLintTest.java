package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.testsupport.GrafanaDashboard;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the Grafana dashboard and its provisioning. That every metric it names is really exposed
 * is checked against the running application in {@link DashboardQueriesTest}.
 */
class DashboardLintTest {
    private final JsonNode dashboard = GrafanaDashboard.load();

    private String provisionedUid() throws Exception {
        Matcher m =
                Pattern.compile("(?m)^\\s*uid:\\s*(\\S+)\\s*$").matcher(Files.readString(GrafanaDashboard.DATASOURCE));
        assertTrue(m.find(), "datasource provisioning has a uid");
        return m.group(1);
    }

    @Test
    void shouldHaveUniquePanelIds() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : GrafanaDashboard.panels(dashboard)) {
            assertTrue(p.has("id"), () -> "panel without id: " + p.path("title"));
            assertTrue(ids.add(p.get("id").asInt()), () -> "duplicate panel id " + p.get("id"));
        }
        assertTrue(ids.size() >= 10, "the dashboard has its panels");
    }

    @Test
    void shouldReferenceTheProvisionedDatasourceByUidEverywhere() throws Exception {
        String uid = provisionedUid();
        assertEquals("streamrec-prometheus", uid);
        for (JsonNode p : GrafanaDashboard.dataPanels(dashboard)) {
            assertEquals(uid, p.path("datasource").path("uid").asText(), () -> "panel " + p.path("title"));
            for (JsonNode t : p.path("targets")) {
                assertEquals(uid, t.path("datasource").path("uid").asText(), () -> "target of " + p.path("title"));
            }
        }
    }

    @Test
    void shouldNotUseImportPlaceholders() throws Exception {
        assertFalse(dashboard.has("__inputs"));
        assertFalse(Files.readString(GrafanaDashboard.FILE).contains("${DS_"), "no ${DS_...} placeholders");
    }

    @Test
    void shouldUseOnlyTimeseriesAndStatPanels() {
        for (JsonNode p : GrafanaDashboard.dataPanels(dashboard)) {
            assertTrue(
                    Set.of("timeseries", "stat").contains(p.path("type").asText()),
                    () -> "panel " + p.path("title") + " has type " + p.path("type"));
        }
    }

    @Test
    void shouldGiveEveryPanelAQuery() {
        for (JsonNode p : GrafanaDashboard.dataPanels(dashboard)) {
            assertTrue(p.path("targets").size() > 0, () -> "panel " + p.path("title") + " has no target");
        }
    }

    @Test
    void shouldExtractMetricNamesButNotFunctionsLabelsOrKeywords() {
        assertEquals(
                Set.of("streamrec_flush_seconds_bucket"),
                GrafanaDashboard.metricNames(
                        "histogram_quantile(0.99, sum by (le, role) (rate(streamrec_flush_seconds_bucket{role=\"user\"}[1m])))"));
        assertEquals(
                Set.of("a_sum", "a_count"),
                GrafanaDashboard.metricNames(
                        "sum without (instance) (rate(a_sum[5m])) / on (job) group_left sum(rate(a_count[5m])) > 1e3"));
    }

    @Test
    void shouldNameOnlyMetricsThisApplicationMakes() {
        List<String> exprs = GrafanaDashboard.expressions(dashboard);
        for (String e : exprs) {
            for (String name : GrafanaDashboard.metricNames(e)) {
                assertTrue(
                        name.matches("(streamrec|kafka|jvm|process|system)_[a-z0-9_]+"),
                        () -> "unexpected metric " + name + " in " + e);
            }
        }
    }

    @Test
    void shouldOfferApplicationAndInstanceVariablesFromTheProvisionedDatasource() throws Exception {
        String uid = provisionedUid();
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            names.add(v.path("name").asText());
            assertEquals("query", v.path("type").asText(), () -> "variable " + v.path("name"));
            assertEquals(uid, v.path("datasource").path("uid").asText(), () -> "variable " + v.path("name"));
        }
        assertEquals(List.of("application", "instance"), names);
    }

    @Test
    void shouldFilterEveryMetricOfEveryQueryByApplicationAndInstance() {
        for (String e : GrafanaDashboard.expressions(dashboard)) {
            for (String name : GrafanaDashboard.metricNames(e)) {
                Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "(\\{[^}]*})?")
                        .matcher(e);
                while (m.find()) {
                    String matchers = m.group(1) == null ? "" : m.group(1);
                    assertTrue(
                            matchers.contains("application=~\"$application\"")
                                    && matchers.contains("instance=~\"$instance\""),
                            () -> name + " without the $application and $instance matchers in " + e);
                }
            }
        }
    }

    @Test
    void shouldUseTheRateIntervalRatherThanFixedShortWindows() {
        Pattern range = Pattern.compile("\\[([^]]*)]");
        for (String e : GrafanaDashboard.expressions(dashboard)) {
            Matcher m = range.matcher(e);
            while (m.find()) {
                String window = m.group(1);
                // $__rate_interval follows the scrape interval and the zoom; an hour or more is a deliberate baseline.
                assertTrue(
                        window.equals("$__rate_interval") || window.matches("\\d+[hd]"),
                        () -> "window [" + window + "] in " + e);
            }
        }
    }

    @Test
    void shouldGiveEveryPanelAUnitAndOneScale() {
        for (JsonNode p : GrafanaDashboard.dataPanels(dashboard)) {
            String title = p.path("title").asText();
            assertFalse(
                    p.path("fieldConfig").path("defaults").path("unit").asText().isBlank(),
                    () -> title + " has no unit");
            for (JsonNode o : p.path("fieldConfig").path("overrides")) {
                for (JsonNode prop : o.path("properties")) {
                    String id = prop.path("id").asText();
                    assertFalse(
                            id.equals("unit")
                                    || id.equals("custom.axisPlacement")
                                    || id.startsWith("min")
                                    || id.startsWith("max"),
                            () -> title + " overrides " + id + " for some series: a second scale");
                }
            }
        }
    }

    @Test
    void shouldReadTheLagOfOneTopicAtATime() {
        for (String e : GrafanaDashboard.expressions(dashboard)) {
            if (e.contains("records_lag")) {
                assertTrue(
                        e.contains("topic=\"interactions\"") || e.contains("topic=\"residuals\""),
                        () -> "lag of every topic in " + e);
            }
        }
    }

    @Test
    void shouldNotAverageGaugesThatDoNotAverage() {
        for (String e : GrafanaDashboard.expressions(dashboard)) {
            assertFalse(e.contains("avg("), () -> "an average of per-instance figures in " + e);
        }
    }

    @Test
    void shouldGroupPanelsInRowsOperatorsAskAbout() {
        List<String> rows = new java.util.ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (GrafanaDashboard.isRow(p)) {
                rows.add(p.path("title").asText().toLowerCase(java.util.Locale.ROOT));
            }
        }
        for (String question : List.of("keeping up", "learning", "publishing", "healthy")) {
            assertTrue(
                    rows.stream().anyMatch(r -> r.contains(question)), () -> "a row about " + question + ": " + rows);
        }
    }
}
