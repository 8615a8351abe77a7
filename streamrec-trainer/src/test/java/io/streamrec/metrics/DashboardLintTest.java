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
        for (JsonNode p : GrafanaDashboard.panels(dashboard)) {
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
        for (JsonNode p : GrafanaDashboard.panels(dashboard)) {
            assertTrue(
                    Set.of("timeseries", "stat").contains(p.path("type").asText()),
                    () -> "panel " + p.path("title") + " has type " + p.path("type"));
        }
    }

    @Test
    void shouldGiveEveryPanelAQuery() {
        for (JsonNode p : GrafanaDashboard.panels(dashboard)) {
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
}
