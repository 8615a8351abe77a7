package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticRatingsTest {

    private static final double SCORE_TOLERANCE = 1e-12;

    @Test
    void shouldGiveTheSameStreamForTheSameSeed() {
        SyntheticRatings a = new SyntheticRatings(SyntheticRatings.Spec.explicit(50, 80, 4, 7));
        SyntheticRatings b = new SyntheticRatings(SyntheticRatings.Spec.explicit(50, 80, 4, 7));
        SyntheticRatings c = new SyntheticRatings(SyntheticRatings.Spec.explicit(50, 80, 4, 8));
        List<Rating> first = a.take(2000);
        assertEquals(first, b.take(2000));
        assertEquals(first, a.take(2000), "each take starts the stream afresh");
        assertNotEquals(first, c.take(2000));
        assertEquals(a.trueScore(3, 5), b.trueScore(3, 5), 0.0);
        assertNotEquals(a.trueScore(3, 5), c.trueScore(3, 5));
    }

    @Test
    void shouldKeepExplicitLabelsWithinOneToFiveAndTimestampsIncreasing() {
        SyntheticRatings.Spec spec =
                SyntheticRatings.Spec.explicit(100, 200, 8, 1).withNoise(1.0).withTime(5_000L, 250L);
        List<Rating> events = new SyntheticRatings(spec).take(20_000);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int k = 0; k < events.size(); k++) {
            Rating r = events.get(k);
            min = Math.min(min, r.label());
            max = Math.max(max, r.label());
            assertEquals(5_000L + 250L * k, r.timestamp());
            assertEquals(1f, r.weight());
        }
        assertEquals(1f, min, "noise 1.0 reaches the lower clip");
        assertEquals(5f, max, "noise 1.0 reaches the upper clip");
    }

    @Test
    void shouldDrawBinaryLabelsAtThePlantedClickRate() {
        SyntheticRatings gen = new SyntheticRatings(SyntheticRatings.Spec.binary(100, 200, 8, 3));
        int n = 50_000;
        double clicks = 0;
        double expected = 0;
        Iterator<Rating> it = gen.iterator();
        for (int k = 0; k < n; k++) {
            Rating r = it.next();
            assertTrue(r.label() == 0f || r.label() == 1f, "label " + r.label());
            clicks += r.label();
            expected += 1 / (1 + Math.exp(-gen.trueScore(r.user(), r.item())));
        }
        double rate = clicks / n;
        assertTrue(rate > 0.05 && rate < 0.95, "click rate " + rate);
        // Binomial standard error is at most 0.5/sqrt(n) = 0.0022; allow about 4.5 of them.
        assertEquals(expected / n, rate, 0.01);
    }

    @Test
    void shouldMakeExplicitLabelsFollowThePlantedScore() {
        SyntheticRatings gen = new SyntheticRatings(
                SyntheticRatings.Spec.explicit(100, 200, 8, 5).withNoise(0.1));
        double absError = 0;
        List<Rating> events = gen.take(10_000);
        for (Rating r : events) {
            int u = Integer.parseInt(r.user().substring(1));
            int i = Integer.parseInt(r.item().substring(1));
            absError += Math.abs(r.label() - gen.expectedLabel(u, i));
        }
        // E|N(0, 0.1^2)| = 0.08; clipping only shrinks it.
        assertTrue(absError / events.size() < 0.09, "mean |label - expected| = " + absError / events.size());
    }

    @Test
    void shouldExposeTheParametersBehindTrueScore() {
        SyntheticRatings gen = new SyntheticRatings(SyntheticRatings.Spec.explicit(10, 20, 3, 11));
        double[] p = gen.userFactors(4);
        double[] q = gen.itemFactors(7);
        double dot = p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
        double expected = gen.globalBias() + gen.userBias(4) + gen.itemBias(7) + dot;
        assertEquals(expected, gen.trueScore(4, 7), SCORE_TOLERANCE);
        assertEquals(expected, gen.trueScore("u4", "i7"), SCORE_TOLERANCE);
        p[0] = 1e9;
        assertEquals(expected, gen.trueScore(4, 7), SCORE_TOLERANCE, "factors are handed out as copies");
        assertThrows(IllegalArgumentException.class, () -> gen.trueScore("i4", "i7"));
        assertThrows(IllegalArgumentException.class, () -> gen.trueScore("u10", "i7"));
    }

    @Test
    void shouldSkewItemPopularityLikeZipf() {
        int items = 200;
        int n = 50_000;
        SyntheticRatings skewed = new SyntheticRatings(SyntheticRatings.Spec.explicit(100, items, 4, 9));
        SyntheticRatings flat = new SyntheticRatings(
                SyntheticRatings.Spec.explicit(100, items, 4, 9).withZipf(0));
        int[] counts = itemCounts(skewed, items, n);
        // Zipf(1) over 200 items: the top 20 hold H(20)/H(200) = 61% of the mass.
        assertEquals(0.612, topShare(counts, 20, n), 0.02);
        assertEquals(0.1, topShare(itemCounts(flat, items, n), 20, n), 0.02);
        assertTrue(
                counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99],
                "popularity falls with the item index");
        assertEquals(skewed.itemProbability(0) * n, counts[0], 4 * Math.sqrt(counts[0]));
    }

    @Test
    void shouldRejectNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticRatings.Spec.explicit(0, 10, 2, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> SyntheticRatings.Spec.explicit(10, 10, 2, 1).withNoise(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> SyntheticRatings.Spec.explicit(10, 10, 2, 1).withTime(0, 0));
    }

    private static int[] itemCounts(SyntheticRatings gen, int items, int n) {
        int[] counts = new int[items];
        for (Rating r : gen.take(n)) {
            counts[Integer.parseInt(r.item().substring(1))]++;
        }
        return counts;
    }

    private static double topShare(int[] countsByIndex, int top, int n) {
        int[] sorted = countsByIndex.clone();
        java.util.Arrays.sort(sorted);
        long sum = 0;
        for (int k = 0; k < top; k++) {
            sum += sorted[sorted.length - 1 - k];
        }
        return (double) sum / n;
    }
}
