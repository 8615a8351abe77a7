package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The two-stage top-k scan (8-bit bound, then float scores) returns exactly what scoring every item in float
 * returns, and both what a sort of every item's score returns. Every case runs on three stores fed the same
 * updates: the float scan, the two-stage scan with the scalar kernel, and with the SIMD kernel when the JVM has it.
 */
class TopKScanTest {
    private static final int DIM = 64;

    @Test
    void shouldRankLikeASortOfAllItemsOnRandomData() {
        Random random = new Random(41);
        for (int dim : new int[] {1, 7, DIM, 65}) {
            Stores stores = new Stores(meta(ModelKind.BIASED_MF, dim));
            stores.randomRows(random, 30, 2_100, dim, 0.3f);
            for (int trial = 0; trial < 60; trial++) {
                String user = "u" + random.nextInt(33); // some unknown
                int k = 1 + random.nextInt(trial % 10 == 0 ? 3_000 : 40); // sometimes more than the items
                Set<String> exclude = randomExclusions(random, 2_100);
                stores.assertSameAsSort(user, k, exclude);
            }
        }
    }

    @Test
    void shouldRankLikeASortWhenEveryScoreIsNegativeAndForALogisticModel() {
        Random random = new Random(43);
        Stores negative = new Stores(meta(ModelKind.BIASED_MF, DIM));
        negative.randomRows(random, 5, 1_500, DIM, 0.3f);
        for (int i = 0; i < 1_500; i += 2) {
            negative.apply(itemRow("i" + i, -50f - random.nextFloat(), gaussian(random, DIM, 0.3f)));
        }
        Stores logistic = new Stores(meta(ModelKind.LOGISTIC_MF, DIM));
        logistic.randomRows(random, 5, 1_500, DIM, 1f);
        for (int user = 0; user < 5; user++) {
            negative.assertSameAsSort("u" + user, 10, Set.of());
            logistic.assertSameAsSort("u" + user, 25, Set.of());
        }
    }

    @Test
    void shouldKeepTheFirstArrivedOfTiedItemsAcrossBlocks() {
        Random random = new Random(47);
        Stores stores = new Stores(meta(ModelKind.BIASED_MF, DIM));
        stores.randomRows(random, 3, 1_000, DIM, 0.3f);
        float[] twin = gaussian(random, DIM, 0.3f);
        for (int t = 0; t < 40; t++) {
            // Twins scattered over many blocks, some of them excluded, all scoring above every random item.
            stores.apply(itemRow("i" + (t * 97 % 1_000), 5f, twin.clone()));
        }
        for (int k : new int[] {1, 5, 20, 39, 60}) {
            stores.assertSameAsSort("u0", k, Set.of("i97", "i679"));
        }
    }

    @Test
    void shouldRankNearTiesLikeASort() {
        // Items one float step apart in one factor, or in the bias: the 8-bit copy cannot tell them apart.
        Random random = new Random(53);
        Stores stores = new Stores(meta(ModelKind.BIASED_MF, DIM));
        stores.randomRows(random, 3, 600, DIM, 0.3f);
        float[] best = gaussian(random, DIM, 0.3f);
        for (int t = 0; t < 300; t++) {
            float[] x = best.clone();
            int f = random.nextInt(DIM);
            x[f] = random.nextBoolean() ? Math.nextUp(x[f]) : Math.nextDown(x[f]);
            float bias = random.nextBoolean() ? 2f : Math.nextUp(2f);
            stores.apply(itemRow("i" + random.nextInt(600), bias, x));
        }
        for (int user = 0; user < 3; user++) {
            for (int k : new int[] {1, 10, 100}) {
                stores.assertSameAsSort("u" + user, k, Set.of());
            }
        }
    }

    @Test
    void shouldRankLikeASortAfterTombstonesMoveRows() {
        Random random = new Random(59);
        Stores stores = new Stores(meta(ModelKind.BIASED_MF, DIM));
        stores.randomRows(random, 4, 1_200, DIM, 0.3f);
        for (int i = 0; i < 1_200; i += 3) {
            stores.apply(new ModelUpdate.RowTombstone(RowKind.ITEM, "i" + i));
        }
        for (int i = 0; i < 200; i++) {
            stores.apply(itemRow("new" + i, (float) random.nextGaussian(), gaussian(random, DIM, 0.3f)));
        }
        for (int user = 0; user < 4; user++) {
            stores.assertSameAsSort("u" + user, 30, Set.of("i1", "new3"));
        }
    }

    @Test
    void shouldRankOnAZeroAQuietAndAHugeUserVector() {
        Random random = new Random(61);
        Stores stores = new Stores(meta(ModelKind.BIASED_MF, DIM));
        stores.randomRows(random, 0, 900, DIM, 0.3f);
        stores.apply(userRow("zero", 0.1f, new float[DIM]));
        float[] quiet = gaussian(random, DIM, 1f);
        for (int f = 0; f < DIM; f++) {
            quiet[f] *= Float.MIN_VALUE * 1e3f;
        }
        stores.apply(userRow("quiet", 0f, quiet));
        stores.apply(userRow("huge", 0f, gaussian(random, DIM, 1e19f)));
        for (String user : List.of("zero", "quiet", "huge")) {
            stores.assertSameAsSort(user, 12, Set.of());
        }
    }

    @Test
    void shouldRankOverflowingScoresAsTheFloatScanDoes() {
        // Rows are finite (ModelRow refuses others), but float dots of huge factors overflow to infinities and NaN.
        Random random = new Random(67);
        Stores stores = new Stores(meta(ModelKind.BIASED_MF, DIM));
        stores.randomRows(random, 3, 1_000, DIM, 0.3f);
        for (int t = 0; t < 30; t++) {
            float[] x = gaussian(random, DIM, 0.3f);
            x[random.nextInt(DIM)] = random.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
            x[random.nextInt(DIM)] = random.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
            stores.apply(itemRow("i" + random.nextInt(1_000), 0f, x));
        }
        stores.apply(itemRow("i999", Float.MAX_VALUE, gaussian(random, DIM, 0.3f)));
        stores.apply(itemRow("i998", -Float.MAX_VALUE, gaussian(random, DIM, 0.3f)));
        stores.apply(userRow("huge", 0f, gaussian(random, DIM, 1e30f)));
        float[] big = gaussian(random, DIM, 0.3f);
        big[0] = 1e17f;
        stores.apply(userRow("big", 0f, big));
        for (String user : List.of("u0", "u1", "u2", "huge", "big")) {
            for (int k : new int[] {1, 10, 2_000}) {
                stores.assertSameAsFloatScan(user, k, Set.of());
            }
        }
    }

    private static Set<String> randomExclusions(Random random, int items) {
        Set<String> exclude = new HashSet<>();
        for (int e = random.nextInt(5); e > 0; e--) {
            exclude.add("i" + random.nextInt(items));
        }
        exclude.add("not-an-item");
        return exclude;
    }

    static ModelMeta meta(ModelKind kind, int dim) {
        return kind == ModelKind.LOGISTIC_MF
                ? new ModelMeta(kind, dim, 0.3, 100, 0.0, 1.0, null, 0)
                : new ModelMeta(kind, dim, 3.5, 100, 1.0, 5.0, null, 0);
    }

    static ModelUpdate itemRow(String id, float bias, float[] x) {
        return new ModelUpdate.Row(new ModelRow(RowKind.ITEM, id, bias, x, 1, 1, 0, 0));
    }

    static ModelUpdate userRow(String id, float bias, float[] x) {
        return new ModelUpdate.Row(new ModelRow(RowKind.USER, id, bias, x, 1, 1, 0, 0));
    }

    static float[] gaussian(Random random, int dim, float sd) {
        float[] x = new float[dim];
        for (int f = 0; f < dim; f++) {
            x[f] = (float) random.nextGaussian() * sd;
        }
        return x;
    }

    /** The same updates applied to a float-scan store and to two-stage stores. */
    private static final class Stores {
        final ModelStore floats = new ModelStore(null);
        final List<ModelStore> twoStage = new ArrayList<>();

        Stores(ModelMeta meta) {
            twoStage.add(new ModelStore(new ApproxKernel.Scalar()));
            ApproxKernel vector = ApproxKernel.best();
            if (vector != null) {
                twoStage.add(new ModelStore(vector));
            }
            apply(new ModelUpdate.Meta(meta));
        }

        void apply(ModelUpdate update) {
            floats.apply(update);
            twoStage.forEach(s -> s.apply(update));
        }

        void randomRows(Random random, int users, int items, int dim, float sd) {
            for (int u = 0; u < users; u++) {
                apply(userRow("u" + u, (float) random.nextGaussian() * 0.3f, gaussian(random, dim, sd)));
            }
            for (int i = 0; i < items; i++) {
                apply(itemRow("i" + i, (float) random.nextGaussian() * 0.3f, gaussian(random, dim, sd)));
            }
        }

        void assertSameAsSort(String user, int k, Set<String> exclude) {
            List<ScoredItem> expected = sortAll(floats, user, k, exclude);
            String what = "user " + user + ", k " + k;
            assertEquals(expected, floats.recommend(user, k, exclude), "float scan, " + what);
            for (ModelStore store : twoStage) {
                assertEquals(expected, store.recommend(user, k, exclude), store.topKKernel() + ", " + what);
            }
        }

        void assertSameAsFloatScan(String user, int k, Set<String> exclude) {
            List<ScoredItem> expected = floats.recommend(user, k, exclude);
            for (ModelStore store : twoStage) {
                assertEquals(expected, store.recommend(user, k, exclude), store.topKKernel() + ", user " + user);
            }
        }
    }

    /**
     * The reference: every item's raw score as the store documents it, {@code ((base + b_u) + b_i) + dot} with a
     * plain float dot, sorted by score then arrival (index) order; the top {@code k} mapped through the link.
     */
    static List<ScoredItem> sortAll(ModelStore store, String user, int k, Set<String> exclude) {
        ModelMeta meta = store.meta().orElseThrow();
        float[] p = store.factorsOf(RowKind.USER, user);
        double base = meta.scoreBase(store.globalMean()) + (p == null ? 0.0 : store.biasOf(RowKind.USER, user));
        List<String> ids = store.ids(RowKind.ITEM);
        List<double[]> scored = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (exclude.contains(id)) {
                continue;
            }
            double score = base + store.biasOf(RowKind.ITEM, id);
            if (p != null) {
                float[] q = store.factorsOf(RowKind.ITEM, id);
                float dot = 0f;
                for (int f = 0; f < q.length; f++) {
                    dot += p[f] * q[f];
                }
                score += dot;
            }
            scored.add(new double[] {score, i});
        }
        scored.sort((a, b) -> a[0] > b[0] ? -1 : a[0] < b[0] ? 1 : Double.compare(a[1], b[1]));
        List<ScoredItem> out = new ArrayList<>();
        for (int j = 0; j < Math.min(k, scored.size()); j++) {
            out.add(new ScoredItem(ids.get((int) scored.get(j)[1]), meta.link(scored.get(j)[0])));
        }
        return out;
    }
}
