package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImplicitLearnerTest {
    private static final double EPS = 1e-6;
    /**
     * Two planted tastes of 10 items each: a user holds out one of 6 picks, so the 5 items left in their taste fill
     * the top 5 when the tastes are told apart (recall@5 of 1) and 5 of 34 candidates are hit by chance (0.15).
     */
    private static final double MIN_PLANTED_RECALL = 0.8;

    @Test
    void popularityShouldCountEachItemsWeightedEvents() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.POPULARITY));
        ImplicitLearner l = new ImplicitLearner(m, 3, 0);
        int a = m.items().getOrCreate("a");
        int b = m.items().getOrCreate("b");
        int u = m.users().getOrCreate("u");
        int v = m.users().getOrCreate("v");
        l.learn(u, a, 1, 1, 0);
        l.learn(v, a, 1, 2, 0);
        l.learn(u, b, 1, 1, 0);
        l.learn(v, a, 1, 1, 0);
        l.flush();
        assertEquals(4, m.items().bias(a), EPS);
        assertEquals(1, m.items().bias(b), EPS);
        assertEquals(0, m.users().bias(u), EPS);
        assertEquals(2, m.users().updates(u), "each event counts once for its user");
    }

    @Test
    void popularityShouldIgnoreTrainingSettingsThatWouldBreakTheCount() {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.POPULARITY)
                .withOptimizer(new Optimizer.AdaGrad(1f))
                .withRegularization(0.5, 0.5)
                .withFactors(16);
        assertEquals(new Optimizer.Sgd(), h.optimizer());
        assertEquals(0, h.regBias());
        assertEquals(1, h.factors());
    }

    @Test
    void bprShouldRaiseThePositiveAboveTheSampledNegativeForItsUser() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.BPR));
        ImplicitLearner l = new ImplicitLearner(m, 1, 1);
        int u = m.users().getOrCreate("u");
        int i = m.items().getOrCreate("i");
        int j = m.items().getOrCreate("j");
        double before = m.score(u, i) - m.score(u, j);
        l.learn(u, i, 1, 1, 0);
        double after = m.score(u, i) - m.score(u, j);
        assertTrue(after > before, "score gap " + before + " -> " + after);
        assertEquals(0, m.users().bias(u), EPS, "the user bias cancels in BPR and must not move");
        assertEquals(1, m.items().updates(j), "the negative counts one draw");
    }

    @Test
    void shouldRecoverTwoPlantedTastes() {
        for (ModelKind kind : new ModelKind[] {ModelKind.BPR, ModelKind.IMPLICIT_LOGISTIC}) {
            List<Rating> train = new ArrayList<>();
            List<Rating> test = new ArrayList<>();
            SplittableRandom rnd = new SplittableRandom(7);
            // Users 0..99 like items 0..9, users 100..199 items 10..19; each user picks 6, the last held out.
            for (int u = 0; u < 200; u++) {
                int base = u < 100 ? 0 : 10;
                boolean[] taken = new boolean[10];
                for (int k = 0; k < 6; k++) {
                    int it;
                    do {
                        it = rnd.nextInt(10);
                    } while (taken[it]);
                    taken[it] = true;
                    Rating r = new Rating("u" + u, "i" + (base + it), 1f, 0);
                    (k == 5 ? test : train).add(r);
                }
            }
            Hyperparameters h = Hyperparameters.defaults(kind);
            Model m = new ImplicitBatchTrainer(h, 30, 1, ImplicitLearner.defaultNegatives(kind), 1).train(train, null);
            PrequentialRanking ranking = new PrequentialRanking(5, test.size());
            for (Rating r : train) {
                ranking.seen(m.users().indexOf(r.user()), m.items().indexOf(r.item()));
            }
            for (Rating r : test) {
                ranking.evaluate(m, m.users().indexOf(r.user()), m.items().indexOf(r.item()));
            }
            double recall = ranking.metrics().recall();
            assertTrue(recall > MIN_PLANTED_RECALL, kind.id() + " recall@5 " + recall);
        }
    }

    @Test
    void samplerShouldNeverDrawThePositiveAndStayInRange() {
        NegativeSampler s = new NegativeSampler(1);
        for (int t = 0; t < 10_000; t++) {
            int j = s.draw(3, 1);
            assertTrue(j == 0 || j == 2, "drew " + j);
        }
        assertEquals(-1, s.draw(1, 0));
        assertEquals(0, s.draw(2, 1));
    }
}
