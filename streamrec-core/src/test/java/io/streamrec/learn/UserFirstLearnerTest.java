package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Users learned per event, items per batch: per-event SGD at batch 1, and close to it at the stream's batch. */
class UserFirstLearnerTest {
    private static final List<Rating> EVENTS =
            new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(5000);

    @Test
    void shouldEqualPerEventSgdBitForBitWhenTheItemsStepAfterEveryEvent() {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(8);
        MiniBatchLearner reference = new MiniBatchLearner(new Model(h), 1);
        UserFirstLearner learner = new UserFirstLearner(new Model(h));

        for (Rating r : EVENTS) {
            reference.learn(r);
            learn(learner, r);
            learner.stepItems();
        }

        assertSameRows(reference.model().users(), learner.model().users());
        assertSameRows(reference.model().items(), learner.model().items());
        assertEquals(reference.model().globalMean(), learner.model().globalMean(), 0.0);
        assertEquals(EVENTS.size(), learner.model().eventsSeen());
    }

    @Test
    void shouldStepTheUserAtOnceAndHoldTheItemGradientsUntilTheBatchEnds() {
        UserFirstLearner learner = new UserFirstLearner(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)));
        Model m = learner.model();
        int u = m.users().getOrCreate("u1");
        int i1 = m.items().getOrCreate("i1");
        int i2 = m.items().getOrCreate("i2");
        float[] items = m.items().params().clone();

        learner.learn(u, i1, 5f, 1f, 10L);
        learner.learn(u, i2, 1f, 1f, 11L);

        assertEquals(2, m.users().version(u), "one user step per event");
        assertArrayEquals(items, m.items().params(), "the item rows wait for the batch");
        assertEquals(2, learner.pending());
        assertEquals(2, learner.itemGradients().size());
        learner.stepItems();
        assertEquals(1, m.items().version(i1));
        assertEquals(0, learner.pending());
        assertEquals(0, learner.itemGradients().size());
    }

    @Test
    void shouldTrainOnlyTheItemBiasAndTheMeanForAUserWithoutARow() {
        UserFirstLearner learner = new UserFirstLearner(new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)));
        Model m = learner.model();
        int i = m.items().getOrCreate("i1");
        float[] factors = m.items().factors(i);
        float bias = m.items().bias(i);

        learner.learnWithoutUser(i, 5f, 1f, 10L);

        assertEquals(0, m.users().size(), "no user row");
        assertEquals(1, learner.pending());
        assertEquals(1, m.eventsSeen());
        assertEquals(5.0, m.globalMean(), 1e-9, "the label joined the global mean");
        learner.stepItems();
        assertTrue(m.items().bias(i) > bias, "a label above the prediction raises the item's bias");
        float[] after = m.items().factors(i);
        for (int f = 0; f < factors.length; f++) {
            // Against a zero user row only the regularization moves the factors: towards zero, never across it.
            assertTrue(Math.abs(after[f]) <= Math.abs(factors[f]) && after[f] * factors[f] >= 0, "factor " + f);
        }
    }

    @Test
    void shouldStayCloserToPerEventSgdThanAMiniBatchOfTheSameSize() {
        // Users rating several items in a row, as in timestamp order.
        List<Rating> events =
                EVENTS.stream().sorted((a, b) -> a.user().compareTo(b.user())).toList();
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(8);
        double perEvent = prequentialRmse(new MiniBatchLearner(new Model(h), 1), events);
        double batched = prequentialRmse(new MiniBatchLearner(new Model(h), 32), events);
        UserFirstLearner learner = new UserFirstLearner(new Model(h));
        double squared = 0;
        for (Rating r : events) {
            double err = learner.model().predict(r.user(), r.item()) - r.label();
            squared += err * err;
            learn(learner, r);
            if (learner.pending() == 32) {
                learner.stepItems();
            }
        }
        double userFirst = Math.sqrt(squared / events.size());
        assertTrue(
                Math.abs(userFirst - perEvent) < Math.abs(batched - perEvent) / 4,
                "per event " + perEvent + ", users first " + userFirst + ", batch 32 " + batched);
    }

    private static void learn(UserFirstLearner learner, Rating r) {
        Model m = learner.model();
        learner.learn(
                m.users().getOrCreate(r.user()), m.items().getOrCreate(r.item()), r.label(), r.weight(), r.timestamp());
    }

    private static double prequentialRmse(MiniBatchLearner learner, List<Rating> events) {
        double squared = 0;
        for (Rating r : events) {
            double err = learner.predict(r.user(), r.item()) - r.label();
            squared += err * err;
            learner.learn(r);
        }
        return Math.sqrt(squared / events.size());
    }

    private static void assertSameRows(FactorTable want, FactorTable got) {
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
