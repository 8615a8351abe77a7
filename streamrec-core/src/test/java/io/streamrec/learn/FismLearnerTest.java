package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.eval.PrequentialRanking;
import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FismLearnerTest {
    private static final float EPS = 1e-5f;
    /** Float sums in another order than the reference's, over a few hundred steps. */
    private static final float STEP_EPS = 1e-4f;

    @Test
    void shouldServeAsUserRowTheScaledSumOfTheContextVectorsOfTheUsersItems() {
        // A rate too small to move anything: the sum is that of the starting context vectors.
        Model m = new Model(
                Hyperparameters.defaults(ModelKind.FISM).withSchedule(new LearningRateSchedule.Constant(1e-30)));
        FismLearner l = new FismLearner(m, 3, 0.5);
        int u = m.users().getOrCreate("u");
        int a = m.items().getOrCreate("a");
        int b = m.items().getOrCreate("b");
        int c = m.items().getOrCreate("c");
        l.learn(u, a, 1, 1, 0);
        l.learn(u, b, 1, 1, 1);
        l.learn(u, a, 1, 1, 2); // a repeat adds nothing to the history
        assertEquals(2, l.historySize(u));
        float[] ya = l.context(a);
        float[] yb = l.context(b);
        float[] row = m.users().factors(u);
        for (int f = 1; f < m.hyper().width(); f++) {
            assertEquals((ya[f] + yb[f]) / Math.sqrt(2), row[f - 1], EPS, "factor " + f);
        }
        assertEquals(0, m.users().bias(u), "the user bias cancels in BPR");
        float[] yc = l.context(c);
        assertTrue(Math.abs(yc[1] - m.items().factors(c)[0]) > 1e-6, "y_c starts apart from q_c");
    }

    @Test
    void shouldStepAsOneBprStepPerNegativeInTurnWithEveryHistoryVector() {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.FISM).withRegularization(0.01, 0.02);
        Model m = new Model(h);
        Model ref = new Model(h);
        FismLearner l = new FismLearner(m, 4, 0.5);
        FismLearner initial = new FismLearner(ref, 4, 0.5); // only to read the starting context vectors
        int users = 6;
        int items = 12;
        for (int i = 0; i < items; i++) {
            m.items().getOrCreate("i" + i);
            ref.items().getOrCreate("i" + i);
        }
        for (int u = 0; u < users; u++) {
            m.users().getOrCreate("u" + u);
            ref.users().getOrCreate("u" + u);
        }
        Reference r = new Reference(ref, initial, 4, 0.5);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int e = 0; e < 300; e++) {
            int u = rnd.nextInt(users);
            int i = rnd.nextInt(items);
            l.learn(u, i, 1, 1, e);
            r.learn(u, i);
        }
        assertArrayEquals(ref.items().params(), m.items().params(), STEP_EPS, "item biases and factors");
        for (int i = 0; i < items; i++) {
            assertArrayEquals(r.context[i], l.context(i), STEP_EPS, "context vector of item " + i);
        }
        assertArrayEquals(r.userRows(), m.users().params(), STEP_EPS, "user rows");
    }

    @Test
    void shouldLearnWhichItemsGoTogetherWherePopularityCannot() {
        // 20 groups of 10 items, every item as popular as any other; each user picks 6 items of their group and 2 at
        // random, the events of all users interleaved. Popularity ranks at chance; the user's earlier picks tell
        // the group.
        List<int[]> events = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        int usersPerGroup = 100;
        for (int u = 0; u < 20 * usersPerGroup; u++) {
            int group = u % 20;
            for (int k = 0; k < 8; k++) {
                int item = k < 6 ? group * 10 + rnd.nextInt(10) : rnd.nextInt(200);
                events.add(new int[] {u, item});
            }
        }
        java.util.Collections.shuffle(events, new java.util.Random(3));
        double popularity = recall(ModelKind.POPULARITY, events);
        double fism = recall(ModelKind.FISM, events);
        assertTrue(popularity < 0.15, "popularity ranks at chance here: " + popularity);
        assertTrue(fism > 4 * popularity, "fism " + fism + " vs popularity " + popularity);
    }

    @Test
    void shouldRefuseAnotherKindOrOptimizer() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new FismLearner(new Model(Hyperparameters.defaults(ModelKind.BPR)), 10, 0.5));
        Hyperparameters adagrad = Hyperparameters.defaults(ModelKind.FISM).withOptimizer(new Optimizer.AdaGrad(1f));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new FismLearner(new Model(adagrad), 10, 0.5));
        assertTrue(e.getMessage().contains("SGD"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new ImplicitLearner(new Model(Hyperparameters.defaults(ModelKind.FISM)), 1, 10));
    }

    private static double recall(ModelKind kind, List<int[]> events) {
        Model m = new Model(Hyperparameters.defaults(kind));
        PrequentialRanking ranking = new PrequentialRanking(10, 1000);
        FismLearner fism = kind == ModelKind.FISM ? new FismLearner(m, FismLearner.DEFAULT_NEGATIVES, 0.5) : null;
        ImplicitLearner other = fism == null ? new ImplicitLearner(m, 1, 0) : null;
        long t = 0;
        for (int[] e : events) {
            int u = m.users().indexOf("u" + e[0]);
            int i = m.items().indexOf("i" + e[1]);
            ranking.evaluate(m, u, i);
            u = m.users().getOrCreate("u" + e[0]);
            i = m.items().getOrCreate("i" + e[1]);
            if (fism != null) {
                fism.learn(u, i, 1, 1, t++);
            } else {
                other.learn(u, i, 1, 1, t++);
            }
            ranking.seen(u, i);
        }
        return ranking.metrics().recall();
    }

    /**
     * FISMauc's steps written out as the paper's SGD loop: each negative in turn, and within it every history
     * vector one by one; the user's sum moves with them, with L2 on the sum. The learner takes the history's steps
     * in closed form; this is what they must equal.
     */
    private static final class Reference {
        final Model model;
        final int negatives;
        final double alpha;
        final NegativeSampler sampler;
        final float[][] context;
        final List<List<Integer>> history = new ArrayList<>();
        final List<float[]> sums = new ArrayList<>();

        Reference(Model model, FismLearner initial, int negatives, double alpha) {
            this.model = model;
            this.negatives = negatives;
            this.alpha = alpha;
            this.sampler = new NegativeSampler(model.hyper().seed());
            int items = model.items().size();
            context = new float[items][];
            for (int i = 0; i < items; i++) {
                context[i] = initial.context(i);
            }
            int width = model.hyper().width();
            for (int u = 0; u < model.users().size(); u++) {
                history.add(new ArrayList<>());
                sums.add(new float[width]);
            }
        }

        void learn(int u, int i) {
            int width = model.hyper().width();
            float lr = (float) model.hyper().schedule().rate(0);
            float l2b = (float) model.hyper().regBias();
            float l2 = (float) model.hyper().regFactor();
            float[] ip = model.items().params();
            float[] sum = sums.get(u);
            List<Integer> hist = history.get(u);
            int n = hist.size();
            float s = n == 0 ? 0f : (float) Math.pow(n, -alpha);
            for (int k = 0; k < negatives; k++) {
                int j = sampler.draw(model.items().size(), i);
                double x = ip[i * width] - ip[j * width];
                for (int f = 1; f < width; f++) {
                    x += s * sum[f] * (ip[i * width + f] - ip[j * width + f]);
                }
                float g = (float) -ModelKind.sigmoid(-x);
                ip[i * width] -= lr * (g + l2b * ip[i * width]);
                ip[j * width] -= lr * (-g + l2b * ip[j * width]);
                for (int f = 1; f < width; f++) {
                    float p = s * sum[f];
                    float qi = ip[i * width + f];
                    float qj = ip[j * width + f];
                    float gy = g * s * (qi - qj);
                    ip[i * width + f] = qi - lr * (g * p + l2 * qi);
                    ip[j * width + f] = qj - lr * (-g * p + l2 * qj);
                    for (int hi : hist) {
                        context[hi][f] -= lr * (gy + l2 * context[hi][f]);
                    }
                    sum[f] -= lr * (n * gy + l2 * sum[f]);
                }
            }
            if (!hist.contains(i)) {
                hist.add(i);
                for (int f = 1; f < width; f++) {
                    sum[f] += context[i][f];
                }
            }
        }

        float[] userRows() {
            int width = model.hyper().width();
            float[] rows = model.users().params().clone();
            for (int u = 0; u < sums.size(); u++) {
                int n = history.get(u).size();
                float s = n == 0 ? 0f : (float) Math.pow(n, -alpha);
                rows[u * width] = 0f;
                for (int f = 1; f < width; f++) {
                    rows[u * width + f] = s * sums.get(u)[f];
                }
            }
            return rows;
        }
    }
}
