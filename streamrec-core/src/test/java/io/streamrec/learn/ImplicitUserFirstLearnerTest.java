package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The positives-only models learned user first: ImplicitLearner at batch 1, exact counts, held item gradients. */
class ImplicitUserFirstLearnerTest {
    private static final double EPS = 1e-6;
    private static final List<Rating> EVENTS =
            new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(3000);

    @ParameterizedTest
    @EnumSource(
            value = ModelKind.class,
            names = {"BPR", "IMPLICIT_LOGISTIC", "POPULARITY"})
    void shouldEqualTheImplicitLearnerAtBatchOneBitForBitWhenTheItemsStepAfterEveryEvent(ModelKind kind) {
        Hyperparameters h = Hyperparameters.defaults(kind).withFactors(8);
        int negatives = ImplicitLearner.defaultNegatives(kind);
        ImplicitLearner reference = new ImplicitLearner(new Model(h), 1, negatives);
        ImplicitUserFirstLearner learner = new ImplicitUserFirstLearner(new Model(h), negatives);

        for (Rating r : EVENTS) {
            Model rm = reference.model();
            reference.learn(rm.users().getOrCreate(r.user()), rm.items().getOrCreate(r.item()), 1f, r.weight(), 0L);
            Model m = learner.model();
            learner.learn(m.users().getOrCreate(r.user()), m.items().getOrCreate(r.item()), 1f, r.weight(), 0L);
            learner.stepItems();
        }

        assertSameParams(reference.model().users(), learner.model().users());
        assertSameParams(reference.model().items(), learner.model().items());
        assertEquals(EVENTS.size(), learner.model().eventsSeen());
    }

    @Test
    void popularityShouldCountEveryPositiveExactlyAcrossBatchesWithOrWithoutAUserRow() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.POPULARITY));
        UserFirstLearning learner = UserFirstLearning.of(m, 0);
        int a = m.items().getOrCreate("a");
        int b = m.items().getOrCreate("b");
        int u = m.users().getOrCreate("u");
        learner.learn(u, a, 1f, 1f, 0L);
        learner.learn(-1, a, 1f, 2f, 0L);
        stepItems(learner);
        learner.learn(u, b, 1f, 1f, 0L);
        learner.learn(u, a, 1f, 1f, 0L);
        stepItems(learner);
        assertEquals(4, m.items().bias(a), EPS);
        assertEquals(1, m.items().bias(b), EPS);
        assertEquals(0, m.users().bias(u), EPS);
    }

    @Test
    void bprShouldStepTheUserAtOnceAndHoldThePositiveAndNegativeGradientsUntilTheBatchEnds() {
        Model m = new Model(Hyperparameters.defaults(ModelKind.BPR));
        UserFirstLearning learner = UserFirstLearning.of(m, 1);
        int u = m.users().getOrCreate("u");
        int i = m.items().getOrCreate("i");
        int j = m.items().getOrCreate("j");
        float[] items = m.items().params().clone();
        double before = m.score(u, i) - m.score(u, j);

        double loss = learner.learn(u, i, 1f, 1f, 10L);

        assertTrue(loss > 0, "a pair's loss is -ln sigmoid(x) > 0");
        assertEquals(1, m.users().version(u), "one user step per event");
        assertArrayEquals(items, m.items().params(), "the item rows wait for the batch");
        assertEquals(2, learner.itemGradients().size(), "the positive and the one item left to draw");
        assertEquals(loss, learner.pendingLoss(), 0.0);
        stepItems(learner);
        double after = m.score(u, i) - m.score(u, j);
        assertTrue(after > before, "score gap " + before + " -> " + after);
        assertEquals(0, m.users().bias(u), EPS, "the user bias cancels in BPR and must not move");
        assertEquals(0, learner.pending());
    }

    @Test
    void shouldBeChosenByTheModelKindAndRefuseNegativesOutOfRange() {
        assertInstanceOf(
                UserFirstLearner.class,
                UserFirstLearning.of(new Model(Hyperparameters.defaults(ModelKind.LOGISTIC_MF)), 4));
        assertInstanceOf(
                ImplicitUserFirstLearner.class,
                UserFirstLearning.of(new Model(Hyperparameters.defaults(ModelKind.IMPLICIT_LOGISTIC)), 4));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ImplicitUserFirstLearner(new Model(Hyperparameters.defaults(ModelKind.BPR)), 0));
        assertTrue(e.getMessage().contains("1..1000"), e.getMessage());
    }

    private static void stepItems(UserFirstLearning learner) {
        learner.updater().apply(learner.model().items(), learner.itemGradients(), learner.batchRate());
        learner.endBatch();
    }

    private static void assertSameParams(FactorTable want, FactorTable got) {
        assertEquals(want.size(), got.size());
        int w = want.width();
        for (int r = 0; r < want.size(); r++) {
            int g = got.indexOf(want.id(r));
            assertArrayEquals(
                    Arrays.copyOfRange(want.params(), r * w, (r + 1) * w),
                    Arrays.copyOfRange(got.params(), g * w, (g + 1) * w),
                    want.id(r));
        }
    }
}
