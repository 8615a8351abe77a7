package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import io.streamrec.model.RowKind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mini-batches against a plain per-event SGD written from the formulas; row initialization. */
class MiniBatchLearnerTest {

    private static final Hyperparameters SGD = Hyperparameters.defaults(ModelKind.BIASED_MF)
            .withFactors(8)
            .withOptimizer(new Optimizer.Sgd())
            .withSchedule(new LearningRateSchedule.Constant(0.05))
            .withRegularization(0.02, 0.04)
            .withClipNorm(0)
            .withInit(0.1, 11);

    /**
     * Per-event SGD for biased MF straight from Koren et al. (2009), in float like the implementation:
     * {@code e = s - y; b_u -= lr (e + regB b_u); p_u -= lr (e q_i + regF p_u); q_i -= lr (e p_u + regF q_i)},
     * all from the old values; the global mean is the running mean of the labels seen before the event.
     */
    private static final class ReferenceSgd {
        final Map<String, float[]> users = new HashMap<>();
        final Map<String, float[]> items = new HashMap<>();
        final Hyperparameters h;
        final RowInitializer init;
        double sum;
        double count;

        ReferenceSgd(Hyperparameters h) {
            this.h = h;
            this.init = new RowInitializer(h.seed(), h.initStd());
        }

        float[] row(Map<String, float[]> rows, RowKind kind, String id) {
            return rows.computeIfAbsent(id, k -> {
                float[] r = new float[h.width()];
                init.init(kind, k, r, 0, r.length);
                return r;
            });
        }

        void learn(Rating r) {
            float[] p = row(users, RowKind.USER, r.user());
            float[] q = row(items, RowKind.ITEM, r.item());
            double mean = count > 0 ? sum / count : (h.minLabel() + h.maxLabel()) / 2.0;
            float dot = 0f;
            for (int f = 1; f < p.length; f++) {
                dot += p[f] * q[f];
            }
            double s = mean + p[0] + q[0] + dot;
            float e = (float) (s - r.label());
            float lr = (float) h.schedule().initialRate();
            float regB = (float) h.regBias();
            float regF = (float) h.regFactor();
            float[] oldP = p.clone();
            p[0] -= lr * (e + regB * p[0]);
            q[0] -= lr * (e + regB * q[0]);
            for (int f = 1; f < p.length; f++) {
                p[f] -= lr * (e * q[f] + regF * p[f]);
                q[f] -= lr * (e * oldP[f] + regF * q[f]);
            }
            sum += r.label();
            count += 1;
        }
    }

    @Test
    void batchOfOneShouldEqualPerEventSgdBitForBit() {
        List<Rating> events = new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(5000);
        ReferenceSgd reference = new ReferenceSgd(SGD);
        MiniBatchLearner learner = new MiniBatchLearner(new Model(SGD), 1);

        for (Rating r : events) {
            reference.learn(r);
            learner.learn(r);
        }

        Model model = learner.model();
        assertEquals(reference.users.size(), model.users().size());
        assertEquals(reference.items.size(), model.items().size());
        reference.users.forEach((id, row) -> assertArrayEquals(row, row(model.users(), id), "user " + id));
        reference.items.forEach((id, row) -> assertArrayEquals(row, row(model.items(), id), "item " + id));
        assertEquals(reference.sum / reference.count, model.globalMean(), 0.0);
    }

    @Test
    void batchTouchingDistinctRowsShouldEqualThatManyPerEventSteps() {
        List<Rating> batch = List.of(
                new Rating("u1", "i1", 4f, 0L), new Rating("u2", "i2", 1f, 0L),
                new Rating("u3", "i3", 5f, 0L), new Rating("u4", "i4", 2f, 0L));
        // The global mean moves between per-event steps but not inside a batch: hold it still for both.
        Model batched = new Model(SGD, new GlobalMean(3.5e9, 1e9), 0);
        Model single = new Model(SGD, new GlobalMean(3.5e9, 1e9), 0);
        MiniBatchLearner b = new MiniBatchLearner(batched, batch.size());
        MiniBatchLearner s = new MiniBatchLearner(single, 1);

        for (Rating r : batch) {
            b.learn(r);
            s.learn(r);
        }

        for (Rating r : batch) {
            assertArrayEquals(row(single.users(), r.user()), row(batched.users(), r.user()), 1e-6f, r.user());
            assertArrayEquals(row(single.items(), r.item()), row(batched.items(), r.item()), 1e-6f, r.item());
        }
    }

    @Test
    void rowTouchedTwiceInABatchShouldTakeExactlyOneStep() {
        MiniBatchLearner learner = new MiniBatchLearner(new Model(SGD), 3);
        learner.learn(new Rating("u1", "i1", 4f, 0L));
        learner.learn(new Rating("u1", "i2", 2f, 0L));
        MiniBatchLearner.FlushResult result = learner.learn(new Rating("u2", "i2", 5f, 0L));

        FactorTable users = learner.model().users();
        FactorTable items = learner.model().items();
        assertEquals(1, users.version(users.indexOf("u1")));
        assertEquals(2, users.updates(users.indexOf("u1")));
        assertEquals(1, users.version(users.indexOf("u2")));
        assertEquals(1, users.updates(users.indexOf("u2")));
        assertEquals(1, items.version(items.indexOf("i2")));
        assertEquals(2, items.updates(items.indexOf("i2")));
        assertEquals(3, result.events());
        assertEquals(2, result.userRows().length);
        assertEquals(2, result.itemRows().length);
        assertEquals(3, learner.model().eventsSeen());
    }

    @Test
    void rowInitializationShouldDependOnlyOnSeedKindAndId() {
        RowInitializer a = new RowInitializer(42, 0.1);
        RowInitializer b = new RowInitializer(42, 0.1);
        float[] x = new float[9];
        float[] y = new float[9];

        a.init(RowKind.USER, "alice", x, 0, 9);
        b.init(RowKind.USER, "alice", y, 0, 9);
        assertArrayEquals(x, y);
        assertEquals(0f, x[0], "biases start at zero");

        b.init(RowKind.USER, "alicf", y, 0, 9);
        assertNotEquals(Arrays.toString(x), Arrays.toString(y), "another id");
        b.init(RowKind.ITEM, "alice", y, 0, 9);
        assertNotEquals(Arrays.toString(x), Arrays.toString(y), "the same id as an item");
        new RowInitializer(43, 0.1).init(RowKind.USER, "alice", y, 0, 9);
        assertNotEquals(Arrays.toString(x), Arrays.toString(y), "another seed");
    }

    @Test
    void independentModelsShouldCreateIdenticalRowsWhateverTheOrder() {
        Model first = new Model(SGD);
        Model second = new Model(SGD);
        first.items().getOrCreate("x");
        for (String id : new String[] {"b", "a", "c"}) {
            first.users().getOrCreate(id);
        }
        for (String id : new String[] {"c", "a", "b"}) {
            second.users().getOrCreate(id);
        }
        for (String id : new String[] {"a", "b", "c"}) {
            assertArrayEquals(row(first.users(), id), row(second.users(), id), id);
        }
        // The factors look like draws of N(0, std^2): mean near 0, deviation near std.
        Model many = new Model(SGD.withFactors(16));
        double sq = 0;
        int n = 0;
        for (int u = 0; u < 500; u++) {
            float[] r = row(many.users(), many.users().getOrCreate("u" + u));
            for (int f = 1; f < r.length; f++) {
                sq += r[f] * r[f];
                n++;
            }
        }
        assertEquals(SGD.initStd(), Math.sqrt(sq / n), 0.01);
    }

    private static float[] row(FactorTable table, String id) {
        return row(table, table.indexOf(id));
    }

    private static float[] row(FactorTable table, int r) {
        int w = table.width();
        return Arrays.copyOfRange(table.params(), r * w, (r + 1) * w);
    }
}
