package io.streamrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrequentialRankingTest {
    private static final double EPS = 1e-6;

    /** A popularity-shaped model: items i0..i4 with biases 5, 4, 3, 2, 1 (factors 0), one user. */
    private static Model model() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.POPULARITY));
        m.users().getOrCreate("u");
        float[] row = new float[m.hyper().width()];
        for (int k = 0; k < 5; k++) {
            row[0] = 5 - k;
            m.items().put("i" + k, row, 0, null, 0, 0, 0);
        }
        return m;
    }

    @Test
    void shouldNotEvaluateAUsersFirstEvent() {
        PrequentialRanking r = new PrequentialRanking(2, 10);
        assertEquals(-1, r.evaluate(model(), 0, 0));
        assertEquals(0, r.metrics().evaluated());
    }

    @Test
    void shouldRankAgainstTheItemsTheUserHasNotSeenAndCountUnknownItemsAsEvaluatedMisses() {
        Model m = model();
        PrequentialRanking r = new PrequentialRanking(2, 10);
        r.seen(0, 0); // the user saw the most popular item: it no longer takes a place ahead of others
        assertEquals(2, r.evaluate(m, 0, 2)); // i1 is ahead of i2; i0 is left out
        assertEquals(3, r.evaluate(m, 0, 3)); // a miss at N = 2, still ranked for MRR
        assertEquals(0, r.evaluate(m, 0, -1)); // an item never seen: a miss, evaluated
        assertEquals(0, r.evaluate(m, 0, 0)); // an item the user already has: left out, so a miss
        PrequentialRanking.Metrics x = r.metrics();
        assertEquals(4, x.evaluated());
        assertEquals(1, x.hits());
        assertEquals(0.25, x.recall(), EPS);
        assertEquals((1 / (Math.log(3) / Math.log(2))) / 4, x.ndcg(), EPS);
        assertEquals((0.5 + 1.0 / 3) / 4, x.mrr(), EPS);
    }

    @Test
    void shouldBreakTiesByTheItemSeenFirst() {
        Model m = model();
        float[] row = new float[m.hyper().width()];
        row[0] = 4; // i4 ties with i1
        m.items().put("i4", row, 0, null, 0, 0, 0);
        PrequentialRanking r = new PrequentialRanking(1, 10);
        r.seen(0, 0);
        assertEquals(1, r.evaluate(m, 0, 1));
        assertEquals(2, r.evaluate(m, 0, 4));
    }

    @Test
    void shouldKeepOnlyTheLastWindowInTheWindowedFigures() {
        Model m = model();
        PrequentialRanking r = new PrequentialRanking(1, 2);
        r.seen(0, 4);
        r.evaluate(m, 0, 0); // hit
        r.evaluate(m, 0, 3); // miss
        r.evaluate(m, 0, 2); // miss
        PrequentialRanking.Metrics x = r.metrics();
        assertEquals(1.0 / 3, x.recall(), EPS);
        assertEquals(0.0, x.windowRecall(), EPS);
        assertEquals((1.0 / 3 + 1.0 / 4) / 2, x.windowMrr(), EPS);
    }

    @Test
    void intSetShouldHoldWhatWasAddedThroughGrowth() {
        IntSet s = new IntSet();
        for (int v = 0; v < 1000; v += 3) {
            s.add(v);
        }
        s.add(3);
        assertEquals(334, s.size());
        for (int v = 0; v < 1000; v++) {
            assertEquals(v % 3 == 0, s.contains(v), "contains " + v);
        }
    }

    @Test
    void rankAtACutoffShouldGiveTheFullRankUpToItAndAMissBeyond() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.BPR).withFactors(4));
        Random rnd = new Random(7);
        float[] row = new float[m.hyper().width()];
        for (int k = 0; k < 300; k++) {
            for (int f = 0; f < row.length; f++) {
                row[f] = (float) rnd.nextGaussian();
            }
            m.items().put("i" + k, row, 0, null, 0, 0, 0);
        }
        m.users().put("u", row, 0, null, 0, 0, 0);
        IntSet seen = new IntSet();
        for (int k = 0; k < 300; k += 7) {
            seen.add(k);
        }
        int hits = 0;
        for (int i = 0; i < 300; i++) {
            int full = PrequentialRanking.rank(m, 0, i, seen);
            int cut = PrequentialRanking.rank(m, 0, i, seen, 10);
            assertEquals(full <= 10 ? full : 0, cut, "item " + i);
            hits += cut > 0 ? 1 : 0;
        }
        assertEquals(true, hits >= 10, "the case must hold hits as well as misses");
    }
}
