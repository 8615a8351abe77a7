package io.streamrec.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.testsupport.AlertRules;
import io.streamrec.testsupport.ExternalTools;
import io.streamrec.testsupport.GrafanaDashboard;
import io.streamrec.testsupport.PrometheusServer;
import io.streamrec.testsupport.RunningTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real trainer ({@link RunningTrainer}: {@code TrainerApp} on an in-process broker, fed synthetic ratings and a
 * few malformed records) exports every meter of docs/metrics.md with sane values and every metric the alert rules
 * name, and every PromQL expression of the Grafana dashboard, with its variables filled as Grafana fills them,
 * returns data from a real Prometheus scraping it. The Prometheus tests skip when the
 * {@code prometheus} binary is absent; the meter test runs anyway.
 */
@Tag("integration")
class DashboardQueriesTest {
    static final String APP_ID = "streamrec-dashboard-test";
    static final Duration FIRST_DATA_TIMEOUT = Duration.ofSeconds(60);
    /** Exported only by a logistic model; this test's trainer is a rating model. */
    static final Set<String> LOGISTIC_ONLY = Set.of("streamrec_prequential_logloss_total");

    private static RunningTrainer app;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        // With the residual neighbourhood, so that its panels (and the basis task's lag) carry figures too.
        app = RunningTrainer.start(
                APP_ID, 1_000, Map.of(TrainerConfig.NEIGHBOURHOOD, "true", TrainerConfig.USER_SCALE, "true"));
        System.gc(); // so the JVM GC pause meter exists (it appears with the first collection)
        if (PrometheusServer.binary().isPresent()) {
            prometheus = PrometheusServer.start("127.0.0.1:" + app.app().http().port());
        }
    }

    private static void assumePrometheus() {
        ExternalTools.requireThat(prometheus != null, "prometheus binary not found (apt-get install prometheus)");
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void shouldExposeEveryDocumentedMeterWithSaneValuesWhileTraining() throws Exception {
        assertTrue(app.awaitTrained(3_000, FIRST_DATA_TIMEOUT), "the trainer trains on the produced events");
        // Each malformed kind once at least, and a few flushes of both roles after them.
        await("every malformed kind twice")
                .atMost(FIRST_DATA_TIMEOUT)
                .until(() -> app.malformed() >= 2L * RunningTrainer.MALFORMED.size());
        // Item rows are stepped and published a commit or more after the user rows: wait (bounded) until the item
        // side has flushed and published too, rather than for a fixed time a slow machine may not meet.
        String text = await("the item side's flushes and rows in /metrics")
                .atMost(FIRST_DATA_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> app.get("/metrics"), t -> itemSideReported(new Exposition(t)));
        Path dump = Path.of("target", "test-artifacts", "trainer-metrics.txt");
        Files.createDirectories(dump.getParent());
        Files.writeString(dump, text);
        Exposition m = new Exposition(text);
        String appTag = "application=\"" + APP_ID + "\"";

        assertTrue(m.value("streamrec_events_total", "outcome=\"trained\"", appTag) > 0, "events trained");
        assertTrue(m.value("streamrec_events_total", "outcome=\"rejected\"") > 0, "events rejected");
        for (var bad : RunningTrainer.MALFORMED) {
            assertTrue(
                    m.value("streamrec_events_rejected_events_total", "reason=\"" + bad.getKey() + "\"") > 0,
                    "rejections counted under reason " + bad.getKey());
        }
        assertEquals(0, m.value("streamrec_events_rejected_events_total", "reason=\"other\""), "no unknown reason");
        // Quality as counters: Prometheus divides their rates; here the totals since start.
        // The stream threads go on while /metrics is written, so compare against a later scrape: each event is
        // scored, then counted as trained, on one thread.
        double scored = m.value("streamrec_prequential_events_total");
        double trainedEvents = m.value("streamrec_events_total", "outcome=\"trained\"");
        Exposition later = new Exposition(app.get("/metrics"));
        double scoredLater = later.value("streamrec_prequential_events_total");
        double trainedLater = later.value("streamrec_events_total", "outcome=\"trained\"");
        assertTrue(
                scored > 0 && trainedEvents <= scoredLater && scored <= trainedLater,
                "every trained event is scored first: " + scored + " scored, " + trainedEvents + " trained, then "
                        + scoredLater + " and " + trainedLater);
        double rmse = Math.sqrt(m.value("streamrec_prequential_squared_error_total") / scored);
        assertTrue(rmse > 0 && rmse < 4, "prequential RMSE in (0, 4) on 1..5 labels: " + rmse);
        double mae = m.value("streamrec_prequential_absolute_error_total") / scored;
        assertTrue(mae > 0 && mae <= rmse, "prequential MAE in (0, RMSE]: " + mae);
        assertTrue(m.samples("streamrec_prequential_logloss_total").isEmpty(), "no log loss for rating labels");
        assertTrue(Double.isNaN(m.value("streamrec_prequential_auc")), "AUC is NaN for rating labels");
        double loss =
                m.value("streamrec_training_loss_total") / m.value("streamrec_batch_size_events_sum", "role=\"user\"");
        assertTrue(loss > 0 && loss < 16, "mean training loss finite and positive: " + loss);
        for (String role : new String[] {"user", "item"}) {
            double lr = m.value("streamrec_learning_rate", "role=\"" + role + "\"");
            assertTrue(lr > 0 && lr < 10, role + " learning rate reported: " + lr);
        }
        assertTrue(m.value("streamrec_user_cache_evictions_rows_total") >= 0, "evictions exported");
        double stalenessCount = m.value("streamrec_item_staleness_seconds_count");
        double staleness = m.value("streamrec_item_staleness_seconds_sum") / stalenessCount;
        assertTrue(
                stalenessCount > 0 && staleness >= 0 && staleness < 60,
                "predictions with published item versions, under a minute old on average: " + staleness + " s");
        for (String role : new String[] {"user", "item"}) {
            String r = "role=\"" + role + "\"";
            double flushes = m.value("streamrec_flush_seconds_count", r);
            assertTrue(flushes > 0, role + " flushes timed");
            double p99 = m.histogramQuantile(0.99, "streamrec_flush_seconds", r);
            assertTrue(p99 > 0 && p99 < 10, role + " flush p99 in (0, 10 s): " + p99);
            double batches = m.value("streamrec_batch_size_events_count", r);
            double mean = m.value("streamrec_batch_size_events_sum", r) / batches;
            assertTrue(batches > 0 && mean >= 1, role + " batch size recorded: " + mean);
        }
        assertTrue(
                m.value("streamrec_batch_size_events_max", "role=\"user\"")
                        <= 65_536, // UserTrainerProcessor.MAX_UNFLUSHED_EVENTS
                "a user flush sends at most 65,536 events' gradients");
        assertTrue(m.value("streamrec_publish_latency_seconds_count") > 0, "publish latency recorded");
        double latencyP99 = m.histogramQuantile(0.99, "streamrec_publish_latency_seconds");
        assertTrue(latencyP99 > 0 && latencyP99 < 60, "publish latency p99 finite and under a minute: " + latencyP99);
        long published = 0;
        for (String kind : new String[] {"user", "item"}) {
            String k = "kind=\"" + kind + "\"";
            assertTrue(m.value("streamrec_model_rows", k) > 0, kind + " rows held");
            double rows = m.value("streamrec_rows_published_rows_total", k);
            assertTrue(rows > 0, kind + " rows published");
            published += (long) rows;
        }
        assertTrue(m.value("streamrec_model_rows", "kind=\"user\"") <= 2_000, "at most the synthetic users");
        // The residual neighbourhood: the basis task (on this one instance) learns and reports its users.
        assertTrue(m.value("streamrec_neighbourhood_residuals_total") > 0, "residuals learned by the basis task");
        double basisUsers = m.value("streamrec_neighbourhood_basis_users");
        assertTrue(basisUsers > 0 && basisUsers <= 2_000, "users whose residuals the basis task keeps: " + basisUsers);
        double version = m.value("streamrec_model_version");
        // A published row is the result of at least one step (a user row: exactly one; an item row: every batch
        // that reached it since its last flush), and a step covers at least one event for one user and one item
        // row. A flush between the reads of two meters may shift either side a little.
        double trained = m.value("streamrec_events_total", "outcome=\"trained\"");
        assertTrue(
                version > 0 && version >= 0.9 * published,
                "model version (row steps) " + version + " at least the rows published " + published);
        assertTrue(
                version <= 2.2 * trained,
                "model version (row steps) " + version + " at most two steps per trained event " + trained);
    }

    private static boolean itemSideReported(Exposition m) {
        String item = "role=\"item\"";
        return m.valueOrZero("streamrec_flush_seconds_count", item) > 0
                && m.valueOrZero("streamrec_batch_size_events_count", item) > 0
                && m.valueOrZero("streamrec_rows_published_rows_total", "kind=\"item\"") > 0
                && m.valueOrZero("streamrec_model_rows", "kind=\"item\"") > 0
                && m.valueOrZero("streamrec_item_staleness_seconds_count") > 0;
    }

    @Test
    void shouldExposeEveryMetricTheDashboardNames() throws Exception {
        // Kafka client metrics appear after assignment and the binder's refresh: wait for the lag gauge.
        await().atMost(FIRST_DATA_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Set<String> exposed = GrafanaDashboard.exposedNames(app.get("/metrics"));
            Set<String> missing = new TreeSet<>();
            for (String expr : GrafanaDashboard.expressions(GrafanaDashboard.load())) {
                for (String name : GrafanaDashboard.metricNames(expr)) {
                    if (!exposed.contains(name) && !LOGISTIC_ONLY.contains(name)) {
                        missing.add(name);
                    }
                }
            }
            assertTrue(missing.isEmpty(), "the dashboard names metrics that /metrics does not expose: " + missing);
        });
    }

    @Test
    void shouldExposeEveryMetricTheAlertsName() {
        await("every metric the alert rules name on /metrics")
                .atMost(FIRST_DATA_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Set<String> exposed = GrafanaDashboard.exposedNames(app.get("/metrics"));
                    Set<String> missing = new TreeSet<>();
                    for (String expr : AlertRules.expressions().values()) {
                        for (String name : GrafanaDashboard.metricNames(expr)) {
                            // up is Prometheus' own series for each target.
                            if (!name.equals("up") && !exposed.contains(name)) {
                                missing.add(name);
                            }
                        }
                    }
                    assertTrue(
                            missing.isEmpty(),
                            "the alert rules name metrics that /metrics does not expose: " + missing);
                });
    }

    @Test
    void shouldReturnDataForEveryDashboardQuery() {
        assumePrometheus();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + FIRST_DATA_TIMEOUT.toNanos();
        // The variables as Grafana fills them for this instance; the rate window spans a few 1 s scrapes.
        String instance = "127.0.0.1:" + app.app().http().port();
        for (String panelExpr : GrafanaDashboard.expressions(GrafanaDashboard.load())) {
            String expr = GrafanaDashboard.resolve(panelExpr, APP_ID, instance, "10s");
            if (LOGISTIC_ONLY.stream().anyMatch(expr::contains)) {
                continue; // this trainer is a rating model; TrainerMetricsTest checks the logistic meters' names
            }
            // AUC is NaN for rating labels; every other figure must be a number.
            boolean mayBeNaN = expr.contains("auc");
            long left = Math.max(1, deadline - System.nanoTime());
            JsonNode result = prometheus.awaitResult(
                    expr, r -> r.size() > 0 && (mayBeNaN || anyFinite(r)), Duration.ofNanos(left));
            if (result.size() == 0 || !(mayBeNaN || anyFinite(result))) {
                failures.add(expr + " -> " + result);
            }
        }
        assertTrue(
                failures.isEmpty(),
                () -> "dashboard queries without data:\n" + String.join("\n", failures) + "\nprometheus log:\n"
                        + prometheus.log());
    }

    /** The samples of a Prometheus text exposition. */
    private record Exposition(String text) {
        /**
         * The upper bound of the first histogram bucket holding the {@code q} quantile, as Prometheus'
         * histogram_quantile would bound it (the registry exports buckets, not client-side percentiles).
         */
        double histogramQuantile(double q, String name, String... labels) {
            double count = value(name + "_count", labels);
            java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
            for (String line : text.split("\n")) {
                if (!line.startsWith(name + "_bucket{")
                        || !java.util.Arrays.stream(labels).allMatch(line::contains)) {
                    continue;
                }
                java.util.regex.Matcher le =
                        java.util.regex.Pattern.compile("[{,]le=\"([^\"]+)\"").matcher(line);
                assertTrue(le.find(), line);
                buckets.put(
                        le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1)),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
            assertTrue(!buckets.isEmpty(), () -> "no buckets for " + name + " " + List.of(labels));
            for (var b : buckets.entrySet()) {
                if (b.getValue() >= q * count) {
                    return b.getKey();
                }
            }
            return Double.POSITIVE_INFINITY;
        }

        /** The value of the one sample named {@code name} whose labels contain every {@code label}; fails otherwise. */
        double value(String name, String... labels) {
            List<String> found = samples(name, labels);
            assertEquals(
                    1, found.size(), () -> "one sample " + name + " " + List.of(labels) + " expected, found " + found);
            return sampleValue(found.get(0));
        }

        /** Like {@link #value}, but 0 while there is no such single sample (a meter not registered yet). */
        double valueOrZero(String name, String... labels) {
            List<String> found = samples(name, labels);
            return found.size() == 1 ? sampleValue(found.get(0)) : 0;
        }

        private static double sampleValue(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }

        /** The sample lines named {@code name} whose labels contain every {@code label}. */
        List<String> samples(String name, String... labels) {
            List<String> found = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                    continue;
                }
                boolean all = true;
                for (String l : labels) {
                    all &= line.contains(l);
                }
                if (all) {
                    found.add(line);
                }
            }
            return found;
        }
    }

    private static boolean anyFinite(JsonNode result) {
        for (JsonNode series : result) {
            String v = series.path("value").path(1).asText("NaN");
            if (!v.equals("NaN") && !v.contains("Inf")) {
                return true;
            }
        }
        return false;
    }
}
