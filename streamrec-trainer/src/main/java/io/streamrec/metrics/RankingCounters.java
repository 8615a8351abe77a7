package io.streamrec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sampled prequential ranking of the user tasks as two counters, so that PromQL can aggregate over instances
 * and any time range: {@code streamrec.ranking.evaluated} (events ranked) and {@code streamrec.ranking.hits}
 * (those whose item was in the top {@code cutoff}), both tagged {@code cutoff="10"}. Recall@10 over five minutes
 * is {@code sum(rate(streamrec_ranking_hits_total[5m])) / sum(rate(streamrec_ranking_evaluated_total[5m]))}.
 */
public final class RankingCounters implements MeterBinder {
    /** The cutoff the user tasks rank at ({@code StreamRanking.CUTOFF}); the tag's only value. */
    public static final int CUTOFF = 10;

    private final LongAdder evaluated = new LongAdder();
    private final LongAdder hits = new LongAdder();

    /** One ranked event; events ranked at another cutoff are not counted (the tag would not say so). */
    public void ranked(int cutoff, boolean hit) {
        if (cutoff != CUTOFF) {
            return;
        }
        evaluated.increment();
        if (hit) {
            hits.increment();
        }
    }

    public long evaluated() {
        return evaluated.sum();
    }

    public long hits() {
        return hits.sum();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("streamrec.ranking.evaluated", evaluated, LongAdder::sum)
                .description("Events ranked before learning them (a sample; see StreamRanking)")
                .baseUnit("events")
                .tag("cutoff", Integer.toString(CUTOFF))
                .register(registry);
        FunctionCounter.builder("streamrec.ranking.hits", hits, LongAdder::sum)
                .description("Ranked events whose item was among the top cutoff items for its user")
                .baseUnit("events")
                .tag("cutoff", Integer.toString(CUTOFF))
                .register(registry);
    }
}
