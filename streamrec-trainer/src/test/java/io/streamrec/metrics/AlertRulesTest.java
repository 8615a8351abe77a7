package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.testsupport.AlertRules;
import io.streamrec.testsupport.ExternalTools;
import io.streamrec.testsupport.RepositoryFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of prometheus/ pass {@code promtool check} and their unit tests ({@code promtool test rules
 * alerts.test.yml}), every rule has a test, and the Prometheus config of the compose stack loads them. That every
 * metric they name is exported by the real trainer is checked in {@link DashboardQueriesTest}.
 */
class AlertRulesTest {
    private static String promtool() {
        return ExternalTools.require("promtool", "apt-get install prometheus");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(RepositoryFiles.root().toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void shouldPassPromtoolCheckRules() throws Exception {
        String out = run(promtool(), "check", "rules", "prometheus/alerts.yml");
        assertTrue(out.contains(AlertRules.expressions().size() + " rules found"), out);
    }

    @Test
    void shouldPassEveryAlertUnitTest() throws Exception {
        String out = run(promtool(), "test", "rules", "prometheus/alerts.test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void shouldTestEveryAlertBothFiringAndSilent() throws Exception {
        String tests = Files.readString(AlertRules.TESTS);
        Map<String, String> alerts = AlertRules.expressions();
        assertTrue(alerts.size() >= 6, "down, not running, lag, not publishing, DLQ, error: " + alerts.keySet());
        for (String alert : alerts.keySet()) {
            String name = "alertname: " + alert;
            int cases = tests.split(java.util.regex.Pattern.quote(name), -1).length - 1;
            assertTrue(cases >= 2, () -> alert + " needs a firing and a silent case, has " + cases);
        }
    }

    @Test
    void shouldLoadTheRulesFromThePrometheusConfigOfTheComposeStack() throws Exception {
        String config = Files.readString(RepositoryFiles.resolve("prometheus", "prometheus.yml"));
        assertTrue(config.contains("rule_files:") && config.contains("alerts.yml"), config);
        String compose = Files.readString(RepositoryFiles.resolve("docker-compose.yml"));
        assertTrue(
                compose.contains("./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"),
                "docker-compose.yml mounts the rules next to prometheus.yml");
        // promtool check config also loads and checks the rule files the config names.
        String out = run(promtool(), "check", "config", "prometheus/prometheus.yml");
        assertTrue(out.contains("SUCCESS: " + AlertRules.expressions().size() + " rules found"), out);
    }

    @Test
    void shouldReadEveryAlertExpression() {
        Map<String, String> alerts = AlertRules.expressions();
        for (Map.Entry<String, String> a : alerts.entrySet()) {
            assertTrue(!a.getValue().isBlank() && !a.getValue().equals("|"), a.getKey());
        }
        assertTrue(
                List.copyOf(alerts.values()).get(0).contains("up{"),
                "the first rule is the one-line trainer-down rule: " + alerts);
    }
}
