package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class RankingCountersTest {

    @Test
    void shouldExposeHitsAndEvaluatedAsCountersUnderTheNamesTheDashboardQueries() {
        TrainerMetrics metrics = new TrainerMetrics();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.ranked(10, true);
        metrics.bindTo(registry); // counted before binding still shows
        metrics.ranked(10, false);
        metrics.ranked(10, true);
        metrics.ranked(5, true); // another cutoff is not what the tag says: not counted
        String text = registry.scrape();
        assertTrue(
                text.contains("streamrec_ranking_evaluated_events_total{cutoff=\"10\"} 3.0"),
                text.lines().filter(l -> l.contains("ranking")).toList().toString());
        assertTrue(text.contains("streamrec_ranking_hits_events_total{cutoff=\"10\"} 2.0"), text);
        assertEquals(3, metrics.ranking().evaluated());
    }
}
