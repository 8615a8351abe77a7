package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The user's scale on the item bias, (1 + c_u) b_i: rows carry c_u (users) or a copy of b_i (items) after their
 * factors, the score is the plain dot product, and one step is the one the scaled model's gradient asks for.
 */
class UserScaleTest {
    private static final Hyperparameters SCALED = Hyperparameters.defaults(ModelKind.BIASED_MF)
            .withFactors(4)
            .withClipNorm(0)
            .withUserScale(true);

    @Test
    void shouldWidenTheRowsByOneCoordinateThatStartsAtZeroAndLeaveTheFactorsAsTheyWere() {
        Model plain = new Model(SCALED.withUserScale(false));
        Model scaled = new Model(SCALED);
        assertEquals(plain.hyper().width() + 1, scaled.hyper().width());
        assertEquals(3, scaled.hyper().stateSize(), "bias, factors and c_u each have an accumulator");
        int u0 = plain.users().getOrCreate("u");
        int u1 = scaled.users().getOrCreate("u");
        int w0 = plain.hyper().width();
        int w1 = scaled.hyper().width();
        for (int f = 0; f < w0; f++) {
            assertEquals(plain.users().params()[u0 * w0 + f], scaled.users().params()[u1 * w1 + f], 0f);
        }
        assertEquals(0f, scaled.users().params()[u1 * w1 + w1 - 1], 0f);
    }

    @Test
    void oneEventShouldStepTheScaleTheItemBiasAndItsCopyAsTheScaledModelsGradientAsks() {
        Model m = new Model(SCALED);
        int w = SCALED.width();
        int u = m.users().getOrCreate("u");
        int i = m.items().getOrCreate("i");
        float[] up = m.users().params();
        float[] ip = m.items().params();
        // A user with a scale and an item with a bias, as after some training.
        up[u * w + w - 1] = 0.5f;
        ip[i * w] = 0.8f;
        ip[i * w + w - 1] = 0.8f;
        double offset = m.offset();
        double dot = 0;
        for (int f = 1; f < w - 1; f++) {
            dot += up[u * w + f] * ip[i * w + f];
        }
        double score = offset + up[u * w] + 1.5 * 0.8 + dot;
        assertEquals(score, m.score(u, i), 1e-6, "the dot product carries c_u b_i");

        float label = 5f;
        float g = (float) (score - label);
        float lr = (float) SCALED.schedule().initialRate();
        float eps = ((Optimizer.RowAdaGrad) SCALED.optimizer()).epsilon();
        float reg = (float) SCALED.regFactor();
        float gc = g * 0.8f + reg * 0.5f;
        float expectedScale = 0.5f - lr * gc / ((float) Math.sqrt(gc * gc) + eps);
        float gb = g * 1.5f + (float) SCALED.regBias() * 0.8f;
        float expectedBias = 0.8f - lr * gb / ((float) Math.sqrt(gb * gb) + eps);

        new MiniBatchLearner(m, 1).learn(u, i, label, 1f, 0L);

        assertEquals(expectedScale, up[u * w + w - 1], 1e-6, "c_u, stepped with its own accumulator");
        assertEquals(expectedBias, ip[i * w], 1e-6, "b_i, with the gradient g (1 + c_u)");
        assertEquals(ip[i * w], ip[i * w + w - 1], 0f, "the item's copy is its bias");
    }

    @Test
    void everyItemsCopyShouldStayItsBiasPerEventAndInTheStreamsBatches() {
        List<Rating> events = new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(3000);
        MiniBatchLearner perEvent = new MiniBatchLearner(new Model(SCALED), 1);
        UserFirstLearner batched = new UserFirstLearner(new Model(SCALED));
        for (Rating r : events) {
            perEvent.learn(r);
            Model b = batched.model();
            batched.learn(b.users().getOrCreate(r.user()), b.items().getOrCreate(r.item()), r.label(), 1f, 0L);
            if (batched.pending() == 32) {
                batched.stepItems();
            }
        }
        batched.stepItems();
        for (Model m : new Model[] {perEvent.model(), batched.model()}) {
            int w = SCALED.width();
            float[] ip = m.items().params();
            for (int i = 0; i < m.items().size(); i++) {
                assertEquals(ip[i * w], ip[i * w + w - 1], 0f, "item row " + i);
            }
            float[] up = m.users().params();
            long scaledUsers = java.util.stream.IntStream.range(0, m.users().size())
                    .filter(u -> up[u * w + w - 1] != 0f)
                    .count();
            assertEquals(m.users().size(), scaledUsers, "every user learned a scale");
        }
    }

    /**
     * Pretrain's block SGD steps the scale as the online learners do: an item's copy stays its bias, every user of
     * an item with a bias learns a scale, and two runs from one seed give the same model.
     */
    @Test
    void blockSgdShouldTrainTheScaleAsTheOnlineLearnersDo() {
        List<Rating> events = new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(3000);
        Model a = new BlockSgdTrainer(SCALED, 5, 1, 7).train(events, null);
        Model b = new BlockSgdTrainer(SCALED, 5, 1, 7).train(events, null);
        int w = SCALED.width();
        float[] ip = a.items().params();
        for (int i = 0; i < a.items().size(); i++) {
            assertEquals(ip[i * w], ip[i * w + w - 1], 0f, "item row " + i);
        }
        float[] up = a.users().params();
        for (int u = 0; u < a.users().size(); u++) {
            assertNotEquals(0f, up[u * w + w - 1], "user row " + u);
            assertEquals(up[u * w + w - 1], b.users().params()[u * w + w - 1], 0f, "reproducible from the seed");
        }
        assertEquals(3, a.users().stateSize());
    }

    @Test
    void theScaleShouldChangeWhatIsLearned() {
        List<Rating> events = new SyntheticRatings(SyntheticRatings.Spec.explicit(60, 40, 4, 3)).take(3000);
        MiniBatchLearner plain = new MiniBatchLearner(new Model(SCALED.withUserScale(false)), 1);
        MiniBatchLearner scaled = new MiniBatchLearner(new Model(SCALED), 1);
        for (Rating r : events) {
            plain.learn(r);
            scaled.learn(r);
        }
        assertNotEquals(plain.model().predict("u0", "i0"), scaled.model().predict("u0", "i0"));
    }

    @Test
    void shouldRefuseKindsAndOptimizersItDoesNotFitNamingTheSetting() {
        IllegalArgumentException logistic = assertThrows(
                IllegalArgumentException.class,
                () -> Hyperparameters.defaults(ModelKind.LOGISTIC_MF).withUserScale(true));
        assertTrue(logistic.getMessage().contains("user-scale"), logistic.getMessage());
        assertTrue(logistic.getMessage().contains("biased-mf"), logistic.getMessage());
        IllegalArgumentException sgd =
                assertThrows(IllegalArgumentException.class, () -> SCALED.withOptimizer(new Optimizer.Sgd()));
        assertTrue(sgd.getMessage().contains("row-adagrad"), sgd.getMessage());
        IllegalArgumentException als =
                assertThrows(IllegalArgumentException.class, () -> new AlternatingLeastSquares(SCALED, 1, 0.1));
        assertTrue(als.getMessage().contains("not supported by als"), als.getMessage());
        IllegalArgumentException fineTune = assertThrows(
                IllegalArgumentException.class, () -> Model.withHyper(new Model(SCALED.withUserScale(false)), SCALED));
        assertTrue(fineTune.getMessage().contains("must stay the same"), fineTune.getMessage());
    }
}
