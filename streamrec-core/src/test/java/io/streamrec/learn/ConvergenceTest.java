package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.BinaryMetrics;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.ModelKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training recovers a planted low-rank model (as EJML's examples recover a known answer). */
class ConvergenceTest {

    private static final double NOISE = 0.1;
    /** Held-out RMSE may exceed the noise level by this factor plus {@link #RMSE_SLACK}. */
    private static final double RMSE_FACTOR = 1.5;

    private static final double RMSE_SLACK = 0.05;
    private static final double MIN_CORRELATION = 0.95;
    private static final double MIN_AUC = 0.75;
    /** The learned AUC may trail the AUC of the planted probabilities by at most this much. */
    private static final double AUC_GAP = 0.03;

    @Test
    void biasedMfShouldReachTheNoiseLevelAndRecoverThePlantedScores() {
        SyntheticRatings data = new SyntheticRatings(
                SyntheticRatings.Spec.explicit(300, 200, 3, 17).withNoise(NOISE).withZipf(0.5));
        List<Rating> events = data.take(60_000);
        List<Rating> train = events.subList(0, 50_000);
        List<Rating> test = events.subList(50_000, events.size());
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF)
                .withFactors(3)
                .withSchedule(new LearningRateSchedule.Constant(0.1))
                .withRegularization(0.001, 0.001);

        Model model = new BatchTrainer(h, 30, 32, 1).train(train, null);

        RegressionMetrics metrics = new RegressionMetrics();
        double[] predicted = new double[test.size()];
        double[] planted = new double[test.size()];
        for (int k = 0; k < test.size(); k++) {
            Rating r = test.get(k);
            predicted[k] = model.predict(r.user(), r.item());
            planted[k] = data.expectedLabel(index(r.user()), index(r.item()));
            metrics.add(r.label(), predicted[k]);
        }
        double bound = RMSE_FACTOR * NOISE + RMSE_SLACK;
        assertTrue(metrics.rmse() < bound, "held-out RMSE " + metrics.rmse() + " should be below " + bound);
        double corr = correlation(predicted, planted);
        assertTrue(corr > MIN_CORRELATION, "correlation with the planted scores " + corr);
    }

    @Test
    void logisticMfShouldRankAboutAsWellAsThePlantedProbabilities() {
        SyntheticRatings data = new SyntheticRatings(
                SyntheticRatings.Spec.binary(300, 200, 3, 23).withZipf(0.5));
        List<Rating> events = data.take(120_000);
        List<Rating> train = events.subList(0, 100_000);
        List<Rating> test = events.subList(100_000, events.size());
        Hyperparameters h = Hyperparameters.defaults(ModelKind.LOGISTIC_MF)
                .withFactors(3)
                .withSchedule(new LearningRateSchedule.Constant(0.1))
                .withRegularization(0.001, 0.001);

        Model model = new BatchTrainer(h, 20, 32, 1).train(train, null);

        BinaryMetrics learned = new BinaryMetrics();
        BinaryMetrics oracle = new BinaryMetrics();
        for (Rating r : test) {
            learned.add(r.label(), model.predict(r.user(), r.item()));
            oracle.add(r.label(), data.expectedLabel(index(r.user()), index(r.item())));
        }
        assertTrue(learned.auc() > MIN_AUC, "held-out AUC " + learned.auc());
        assertTrue(
                learned.auc() > oracle.auc() - AUC_GAP,
                "held-out AUC " + learned.auc() + " vs planted probabilities' " + oracle.auc());
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring(1));
    }

    static double correlation(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int k = 0; k < x.length; k++) {
            mx += x[k];
            my += y[k];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int k = 0; k < x.length; k++) {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
