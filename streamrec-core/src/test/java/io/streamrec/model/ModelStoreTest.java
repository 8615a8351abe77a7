package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.GlobalMean;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelStoreTest {
    private static final double EXACT = 0.0;
    private static final double HAND_TOLERANCE = 1e-6;

    static ModelRow user(String id, float bias, long version, float... factors) {
        return new ModelRow(RowKind.USER, id, bias, factors, version, 1, 0, 0);
    }

    static ModelRow item(String id, float bias, long version, float... factors) {
        return new ModelRow(RowKind.ITEM, id, bias, factors, version, 1, 0, 0);
    }

    static ModelMeta biased(double mean, int k) {
        return new ModelMeta(ModelKind.BIASED_MF, k, mean, 100, 1.0, 5.0, null, 0);
    }

    static ModelMeta logistic(double mean, int k) {
        return new ModelMeta(ModelKind.LOGISTIC_MF, k, mean, 100, 0.0, 1.0, null, 0);
    }

    @Test
    void shouldSumVersionsAndReplaceAnUpdatedRowsVersion() {
        ModelStore store = new ModelStore();
        RowChange first = store.upsert(user("u1", 0f, 3, 1f, 2f));
        store.upsert(item("i1", 0f, 5, 1f, 2f));
        assertEquals(8, store.modelVersion());
        assertTrue(first.isInsert());

        RowChange second = store.upsert(user("u1", 0.5f, 7, 1f, 2f));
        assertEquals(3, second.oldVersion());
        assertEquals(7, second.newVersion());
        assertEquals(12, store.modelVersion());
        assertEquals(1, store.userCount());
        assertEquals(1, store.itemCount());

        RowChange removed = store.apply(new ModelUpdate.RowTombstone(RowKind.ITEM, "i1"));
        assertTrue(removed.isRemoval());
        assertEquals(7, store.modelVersion());
        assertEquals(0, store.itemCount());
    }

    @Test
    void shouldTrackTheLatestUpdateTimeAcrossRowsAndMeta() {
        ModelStore store = new ModelStore();
        store.upsert(new ModelRow(RowKind.USER, "u", 0f, new float[] {1f}, 1, 1, 2_000, 0));
        store.upsert(new ModelRow(RowKind.USER, "v", 0f, new float[] {1f}, 1, 1, 1_000, 0));
        assertEquals(2_000, store.lastUpdate());
        store.apply(new ModelUpdate.Meta(new ModelMeta(ModelKind.BIASED_MF, 1, 3.0, 1, 1, 5, null, 3_000)));
        assertEquals(3_000, store.lastUpdate());
    }

    @Test
    void shouldRefuseRowsWhoseFactorCountDisagrees() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(biased(3.0, 2)));
        ModelStore.ApplyResult result = store.apply(List.of(
                new ModelUpdate.Row(user("u", 0f, 1, 1f, 2f, 3f)), new ModelUpdate.Row(user("v", 0f, 1, 1f, 2f))));
        assertEquals(1, result.rejections().size());
        assertEquals(1, result.changes().size());
        assertFalse(store.hasUser("u"));
        assertTrue(store.hasUser("v"));
    }

    @Test
    void shouldPredictABiasedModelAsTheHandComputation() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(biased(3.5, 2)));
        store.upsert(user("u", 0.25f, 1, 0.5f, -1f));
        store.upsert(item("i", -0.5f, 1, 2f, 0.25f));
        store.upsert(item("big", 1f, 1, 4f, 0f));
        // 3.5 + 0.25 - 0.5 + (0.5*2 - 1*0.25) = 4.0
        assertEquals(4.0, store.predict("u", "i").score(), HAND_TOLERANCE);
        // 3.5 + 0.25 + 1 + 2 = 6.75, clamped to maxLabel 5
        assertEquals(5.0, store.predict("u", "big").score(), EXACT);
        store.upsert(user("low", -9f, 2, 0f, 0f));
        assertEquals(1.0, store.predict("low", "i").score(), EXACT);
    }

    @Test
    void shouldPredictALogisticModelAsTheHandComputation() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(logistic(0.2, 2)));
        store.upsert(user("u", 0.25f, 1, 0.5f, -1f));
        store.upsert(item("i", -0.5f, 1, 2f, 0.25f));
        double logit = Math.log(0.2 / 0.8);
        double expected = 1 / (1 + Math.exp(-(logit + 0.25 - 0.5 + 0.75)));
        assertEquals(expected, store.predict("u", "i").score(), HAND_TOLERANCE);
    }

    @Test
    void shouldTakeTheGlobalMeanFromTheMeanRecordsOverTheMeta() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(biased(3.0, 1)));
        store.upsert(item("i", 0f, 1, 0f));
        assertEquals(3.0, store.globalMean(), EXACT);
        assertEquals(3.0, store.predict("nobody", "i").score(), EXACT);
        store.apply(List.of(
                new ModelUpdate.Mean("mean:0", 0, 40.0, 10.0),
                new ModelUpdate.Mean("mean:snapshot", -1, 2.0, 1.0),
                new ModelUpdate.Mean("mean:1", 1, 0.0, 0.0)));
        assertEquals(42.0 / 11.0, store.globalMean(), EXACT);
        assertEquals(42.0 / 11.0, store.predict("nobody", "i").score(), EXACT);
        // A partition's newer sums replace its older ones; they do not add up.
        store.apply(new ModelUpdate.Mean("mean:0", 0, 44.0, 11.0));
        assertEquals(46.0 / 12.0, store.globalMean(), EXACT);
        // The trainer re-publishes meta (with a placeholder globalMean) at every start: the sums still win.
        store.apply(new ModelUpdate.Meta(biased(3.0, 1)));
        assertEquals(46.0 / 12.0, store.globalMean(), EXACT);
        assertEquals(3, store.meanRecords());
        store.apply(List.of(new ModelUpdate.MeanTombstone("mean:0"), new ModelUpdate.MeanTombstone("mean:snapshot")));
        assertEquals(3.0, store.globalMean(), EXACT, "counts summing to zero fall back to meta.globalMean");
    }

    @Test
    void shouldPredictExactlyAsTheTrainersModelForEveryKind() {
        Random random = new Random(7);
        for (ModelKind kind : ModelKind.values()) {
            Hyperparameters h = Hyperparameters.defaults(kind).withFactors(5);
            double sum0 = kind == ModelKind.LOGISTIC_MF ? 31.0 : 351.0;
            double sum1 = kind == ModelKind.LOGISTIC_MF ? 17.0 : 140.5;
            GlobalMean mean = new GlobalMean(sum0, 100.0);
            mean.setExternal(sum1, 40.0);
            Model model = new Model(h, mean, 0);
            ModelStore store = new ModelStore();
            store.apply(List.of(
                    new ModelUpdate.Meta(new ModelMeta(kind, h.factors(), 0.5, 0, h.minLabel(), h.maxLabel(), null, 0)),
                    new ModelUpdate.Mean("mean:0", 0, sum0, 100.0),
                    new ModelUpdate.Mean("mean:snapshot", -1, sum1, 40.0)));
            for (int r = 0; r < 20; r++) {
                RowKind rowKind = r % 2 == 0 ? RowKind.USER : RowKind.ITEM;
                float[] params = new float[h.width()];
                for (int j = 0; j < params.length; j++) {
                    params[j] = (float) (random.nextGaussian() * (j == 0 ? 0.5 : 0.8));
                }
                model.table(rowKind).put("r" + r, params, 0, null, 0, 1, 1);
                store.upsert(new ModelRow(
                        rowKind, "r" + r, params[0], Arrays.copyOfRange(params, 1, params.length), 1, 1, 0, 0));
            }
            for (int u = -2; u < 20; u += 2) {
                for (int i = -1; i < 20; i += 2) {
                    String user = u < 0 ? "unknown" : "r" + u;
                    String itemId = "r" + Math.max(i, 1);
                    assertEquals(
                            model.predict(user, itemId),
                            store.predict(user, itemId).score(),
                            EXACT,
                            kind + " " + user + " " + itemId);
                }
            }
        }
    }

    @Test
    void shouldClampTheLogisticGlobalMeanBeforeTheLogit() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(logistic(1.0, 1)));
        store.upsert(item("i", 0f, 1, 0f));
        double logit = Math.log((1 - 1e-6) / 1e-6);
        assertEquals(1 / (1 + Math.exp(-logit)), store.predict("nobody", "i").score(), HAND_TOLERANCE);
        assertTrue(store.predict("nobody", "i").score() < 1.0);
    }

    @Test
    void shouldFallBackToItemBiasForAnUnknownUserAndToUserBiasForAnUnknownItem() {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(biased(3.0, 1)));
        store.upsert(user("u", 0.5f, 1, 1f));
        store.upsert(item("popular", 1.25f, 1, -1f));
        store.upsert(item("niche", -0.75f, 1, 1f));
        store.upsert(item("middle", 0.25f, 1, 1f));

        Prediction cold = store.predict("stranger", "popular");
        assertFalse(cold.userKnown());
        assertTrue(cold.itemKnown());
        assertEquals(4.25, cold.score(), HAND_TOLERANCE);
        Prediction unknownItem = store.predict("u", "nothing");
        assertFalse(unknownItem.itemKnown());
        assertEquals(3.5, unknownItem.score(), HAND_TOLERANCE);

        List<ScoredItem> ranked = store.recommend("stranger", 10, Set.of());
        assertEquals(
                List.of("popular", "middle", "niche"),
                ranked.stream().map(ScoredItem::item).toList());
        assertEquals(4.25, ranked.get(0).score(), HAND_TOLERANCE);
    }

    @Test
    void shouldRecommendTheSameAsASortOverAllItemsOnRandomData() {
        Random random = new Random(7);
        for (ModelMeta meta : List.of(biased(3.5, 8), logistic(0.3, 8))) {
            ModelStore store = randomStore(random, meta, 200, 1_000);
            for (int trial = 0; trial < 200; trial++) {
                String user = "u" + random.nextInt(220); // some unknown users
                int k = 1 + random.nextInt(trial % 10 == 0 ? 1_500 : 30); // sometimes more than the items
                Set<String> exclude = new HashSet<>();
                for (int e = random.nextInt(5); e > 0; e--) {
                    exclude.add("i" + random.nextInt(1_000));
                }
                exclude.add("not-an-item");
                List<ScoredItem> expected = naiveRecommend(store, user, k, exclude, 1_000);
                List<ScoredItem> actual = store.recommend(user, k, exclude);
                assertEquals(expected, actual, "user " + user + ", k " + k);
                assertTrue(actual.stream().noneMatch(s -> exclude.contains(s.item())));
            }
        }
    }

    @Test
    void shouldFindTheSameSimilarItemsAsANaiveCosine() {
        Random random = new Random(11);
        ModelStore store = randomStore(random, biased(3.5, 16), 10, 700);
        store.upsert(item("zero", 0f, 1, new float[16]));
        for (int trial = 0; trial < 100; trial++) {
            String query = "i" + random.nextInt(700);
            int k = 1 + random.nextInt(trial % 10 == 0 ? 1_000 : 20);
            List<ScoredItem> actual = store.similarItems(query, k).orElseThrow();
            assertEquals(naiveSimilar(store, query, k), actual, "item " + query + ", k " + k);
            assertTrue(actual.stream().noneMatch(s -> s.item().equals(query)));
        }
        assertEquals(Optional.empty(), store.similarItems("unknown", 5));
        assertTrue(store.similarItems("zero", 3).orElseThrow().stream().allMatch(s -> s.score() == 0.0));
    }

    @Test
    void shouldKeepScoresCorrectAfterATombstoneMovesRows() {
        Random random = new Random(3);
        ModelStore store = randomStore(random, biased(3.5, 4), 20, 300);
        for (int i = 0; i < 300; i += 3) {
            store.apply(new ModelUpdate.RowTombstone(RowKind.ITEM, "i" + i));
        }
        assertEquals(200, store.itemCount());
        assertEquals(naiveRecommend(store, "u1", 50, Set.of(), 300), store.recommend("u1", 50, Set.of()));
        assertEquals(naiveSimilar(store, "i1", 10), store.similarItems("i1", 10).orElseThrow());
    }

    @Test
    void shouldRankTiedItemsInArrivalOrderAcrossAColumnBlockBoundary() {
        Random random = new Random(5);
        ModelStore store = randomStore(random, biased(3.5, 8), 3, 250);
        float[] twin = randomVector(random, 8);
        for (int t = 0; t < 12; t++) {
            // A bias far above every random item's score, so the tied twins fill the top.
            store.upsert(item("twin" + t, 100f, 1, twin.clone()));
        }
        List<String> top = store.recommend("u1", 8, Set.of("twin2")).stream()
                .map(ScoredItem::item)
                .toList();
        assertEquals(List.of("twin0", "twin1", "twin3", "twin4", "twin5", "twin6", "twin7", "twin8"), top);
    }

    @Test
    void shouldRejectANonPositiveK() {
        ModelStore store = new ModelStore();
        assertThrows(IllegalArgumentException.class, () -> store.recommend("u", 0, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> store.similarItems("i", -1));
    }

    @Test
    void shouldReturnNothingFromAnEmptyModel() {
        assertEquals(List.of(), new ModelStore().recommend("u", 5, Set.of()));
    }

    static ModelStore randomStore(Random random, ModelMeta meta, int users, int items) {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(meta));
        int k = meta.factors();
        for (int u = 0; u < users; u++) {
            store.upsert(user(
                    "u" + u, (float) random.nextGaussian() * 0.3f, 1 + random.nextInt(5), randomVector(random, k)));
        }
        for (int i = 0; i < items; i++) {
            store.upsert(item(
                    "i" + i, (float) random.nextGaussian() * 0.3f, 1 + random.nextInt(5), randomVector(random, k)));
        }
        return store;
    }

    static float[] randomVector(Random random, int k) {
        float[] x = new float[k];
        for (int f = 0; f < k; f++) {
            x[f] = (float) (random.nextGaussian() * 0.5);
        }
        return x;
    }

    /**
     * Reference: ranks by the raw score the store documents (link is monotonic), scored with predict's own
     * formula written out independently; ties broken by arrival order is not needed on continuous random data.
     */
    private static List<ScoredItem> naiveRecommend(
            ModelStore store, String user, int k, Set<String> exclude, int maxItems) {
        List<double[]> scored = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        ModelMeta meta = store.meta().orElseThrow();
        for (int i = 0; i < maxItems; i++) {
            String id = "i" + i;
            if (!store.hasItem(id) || exclude.contains(id)) {
                continue;
            }
            double raw = rawScore(store, meta, user, id);
            scored.add(new double[] {raw, ids.size()});
            ids.add(id);
        }
        scored.sort(Comparator.comparingDouble((double[] s) -> -s[0]));
        List<ScoredItem> out = new ArrayList<>();
        for (int j = 0; j < Math.min(k, scored.size()); j++) {
            String id = ids.get((int) scored.get(j)[1]);
            out.add(new ScoredItem(id, store.predict(user, id).score()));
        }
        return out;
    }

    /** Inverts the link to get the raw score back would lose precision; recompute it from the rows instead. */
    private static double rawScore(ModelStore store, ModelMeta meta, String user, String item) {
        RowProbe probe = RowProbe.of(store);
        double raw = meta.scoreBase();
        float[] p = probe.user(user);
        float[] q = probe.item(item);
        if (p != null) {
            raw += probe.userBias(user);
        }
        raw += probe.itemBias(item);
        if (p != null) {
            float s = 0f;
            for (int f = 0; f < p.length; f++) {
                s += p[f] * q[f];
            }
            raw += s;
        }
        return raw;
    }

    private static List<ScoredItem> naiveSimilar(ModelStore store, String query, int k) {
        RowProbe probe = RowProbe.of(store);
        float[] q = probe.item(query);
        List<ScoredItem> all = new ArrayList<>();
        for (String id : probe.itemIds()) {
            if (id.equals(query)) {
                continue;
            }
            float[] x = probe.item(id);
            float s = 0f;
            for (int f = 0; f < q.length; f++) {
                s += q[f] * x[f];
            }
            double denominator = norm(q) * norm(x);
            all.add(new ScoredItem(id, denominator == 0 ? 0.0 : s / denominator));
        }
        all.sort(Comparator.comparingDouble(ScoredItem::score).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
