package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FismUserFirstLearnerTest {
    /** Float sums in another order than the reference's, over a few hundred steps. */
    private static final float STEP_EPS = 1e-4f;

    /**
     * The user side as FISMauc's loop writes it, with the item rows held still (the stream steps them by batch,
     * elsewhere): each negative in turn moves every history vector and the user's sum.
     */
    @Test
    void shouldStepTheUsersSumAndHistoryVectorsAsThePairsInTurnDo() {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.FISM).withRegularization(0.01, 0.02);
        Model m = new Model(h);
        int users = 5;
        int items = 9;
        for (int i = 0; i < items; i++) {
            m.items().getOrCreate("i" + i);
        }
        for (int u = 0; u < users; u++) {
            m.users().getOrCreate("u" + u);
        }
        FismUserFirstLearner l = new FismUserFirstLearner(m, 3, 0.5);
        int w = h.width();
        float[][] y = new float[items][];
        l.state().ensureContext(items, m.items());
        for (int i = 0; i < items; i++) {
            y[i] = l.state().context(i);
        }
        float[][] sums = new float[users][w];
        List<List<Integer>> history = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            history.add(new ArrayList<>());
        }
        NegativeSampler sampler = new NegativeSampler(h.seed());
        float lr = (float) h.schedule().rate(0);
        float l2 = (float) h.regFactor();
        float[] q = m.items().params();
        SplittableRandom rnd = new SplittableRandom(9);
        for (int e = 0; e < 200; e++) {
            int u = rnd.nextInt(users);
            int i = rnd.nextInt(items);
            l.learn(u, i, 1, 1, e);
            l.endBatch(); // the item gradients would go to the item tasks; the rows here stay as they are
            List<Integer> hist = history.get(u);
            int n = hist.size();
            float s = n == 0 ? 0f : (float) Math.pow(n, -0.5);
            for (int k = 0; k < 3; k++) {
                int j = sampler.draw(items, i);
                double x = q[i * w] - q[j * w];
                for (int f = 1; f < w; f++) {
                    x += s * sums[u][f] * (q[i * w + f] - q[j * w + f]);
                }
                float g = (float) -ModelKind.sigmoid(-x);
                for (int f = 1; f < w; f++) {
                    float gy = g * s * (q[i * w + f] - q[j * w + f]);
                    for (int hi : hist) {
                        y[hi][f] -= lr * (gy + l2 * y[hi][f]);
                    }
                    sums[u][f] -= lr * (n * gy + l2 * sums[u][f]);
                }
            }
            if (!hist.contains(i)) {
                hist.add(i);
                for (int f = 1; f < w; f++) {
                    sums[u][f] += y[i][f];
                }
            }
        }
        for (int i = 0; i < items; i++) {
            assertArrayEquals(y[i], l.state().context(i), STEP_EPS, "context vector of item " + i);
        }
        for (int u = 0; u < users; u++) {
            int n = history.get(u).size();
            assertEquals(n, l.state().find("u" + u).count());
            float[] row = m.users().factors(u);
            for (int f = 1; f < w; f++) {
                assertEquals(Math.pow(n, -0.5) * sums[u][f], row[f - 1], STEP_EPS, "user " + u + " factor " + f);
            }
            assertTrue(m.users().version(u) > 0, "a learned user row counts its steps");
        }
    }
}
