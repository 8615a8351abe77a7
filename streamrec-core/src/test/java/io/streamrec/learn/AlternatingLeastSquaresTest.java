package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.ModelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlternatingLeastSquaresTest {

    private static final double NOISE = 0.1;
    private static final double RMSE_BOUND = 1.5 * NOISE + 0.05;

    @Test
    void shouldRecoverAPlantedLowRankModel() {
        SyntheticRatings data = new SyntheticRatings(
                SyntheticRatings.Spec.explicit(300, 200, 3, 17).withNoise(NOISE).withZipf(0.5));
        List<Rating> events = data.take(30_000);
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(3);
        List<Integer> iterations = new ArrayList<>();

        Model model = new AlternatingLeastSquares(h, 10, 0.01).train(events.subList(0, 25_000), iterations::add);

        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), iterations);
        RegressionMetrics m = new RegressionMetrics();
        double[] predicted = new double[5_000];
        double[] planted = new double[5_000];
        for (int k = 0; k < 5_000; k++) {
            Rating r = events.get(25_000 + k);
            predicted[k] = model.predict(r.user(), r.item());
            planted[k] = data.expectedLabel(
                    Integer.parseInt(r.user().substring(1)),
                    Integer.parseInt(r.item().substring(1)));
            m.add(r.label(), predicted[k]);
        }
        assertTrue(m.rmse() < RMSE_BOUND, "held-out RMSE " + m.rmse());
        assertTrue(ConvergenceTest.correlation(predicted, planted) > 0.95);
    }

    @Test
    void shouldProduceAModelThatSnapshotsAndFineTunes(@TempDir Path dir) {
        List<Rating> events = new SyntheticRatings(SyntheticRatings.Spec.explicit(50, 40, 2, 3)).take(3_000);
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF).withFactors(4);

        Model model = new AlternatingLeastSquares(h, 3, 0.1).train(events, null);

        assertEquals(3L * events.size(), model.eventsSeen());
        assertEquals(3, model.users().version(0));
        double mean = events.stream().mapToDouble(Rating::label).average().orElseThrow();
        assertEquals(mean, model.globalMean(), 1e-9);
        Path file = dir.resolve("als.snap");
        ModelSnapshot.write(model, file, "als");
        Model back = ModelSnapshot.read(file);
        ModelSnapshotTest.assertSameRows(model.users(), back.users());
        ModelSnapshotTest.assertSameRows(model.items(), back.items());
        new MiniBatchLearner(back, 1).learn(events.get(0));
    }

    @Test
    void shouldRejectInvalidSettingsWithMessages() {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF);
        assertEquals(
                "ALS fits squared error: the model must be biased-mf, got logistic-mf",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new AlternatingLeastSquares(
                                        Hyperparameters.defaults(ModelKind.LOGISTIC_MF), 5, 0.1))
                        .getMessage());
        assertEquals(
                "ALS iterations must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new AlternatingLeastSquares(h, 0, 0.1))
                        .getMessage());
        assertEquals(
                "ALS lambda must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new AlternatingLeastSquares(h, 5, 0))
                        .getMessage());
        assertEquals(
                "ALS needs at least one training rating, got none",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new AlternatingLeastSquares(h, 5, 0.1).train(List.of(), null))
                        .getMessage());
    }
}
