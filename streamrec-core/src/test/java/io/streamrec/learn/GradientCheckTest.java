package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite-difference checks of every analytic gradient, as EJML checks its Jacobians: the losses'
 * derivative with respect to the score, and the whole chain down to the parameters that the mini-batch learner
 * applies (loss plus L2 penalty), read off an SGD step with learning rate 1.
 */
class GradientCheckTest {

    /** Central-difference step in double precision. */
    private static final double STEP = 1e-5;
    /** Tolerance of the loss derivatives, computed in double: truncation error O(STEP^2) plus rounding. */
    private static final double DOUBLE_TOLERANCE = 1e-7;
    /**
     * Tolerance of the parameter gradients, relative to max(1, |g|). The learner works in float (24-bit mantissa,
     * about 6e-8 relative), and the applied gradient is read back as the difference of two float rows, so a few
     * float ulps of the parameters' size are expected.
     */
    private static final double FLOAT_TOLERANCE = 2e-5;

    static Stream<Loss> losses() {
        return Stream.of(Loss.SQUARED, Loss.LOGISTIC);
    }

    @ParameterizedTest
    @MethodSource("losses")
    void lossGradientShouldMatchCentralDifferences(Loss loss) {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int k = 0; k < 200; k++) {
            double label = loss == Loss.LOGISTIC ? rnd.nextInt(2) : 1 + 4 * rnd.nextDouble();
            double score = -8 + 16 * rnd.nextDouble();
            double numeric = (loss.loss(label, score + STEP) - loss.loss(label, score - STEP)) / (2 * STEP);
            assertEquals(
                    numeric,
                    loss.gradient(label, score),
                    DOUBLE_TOLERANCE * Math.max(1, Math.abs(numeric)),
                    loss + " at label " + label + ", score " + score);
        }
    }

    @Test
    void logisticLossShouldStayFiniteAndExactForLargeScores() {
        assertEquals(0.0, Loss.LOGISTIC.loss(1, 800), 1e-300);
        assertEquals(800.0, Loss.LOGISTIC.loss(0, 800), 1e-9);
        assertEquals(800.0, Loss.LOGISTIC.loss(1, -800), 1e-9);
        assertEquals(-1.0, Loss.LOGISTIC.gradient(1, -800), 0.0);
        assertEquals(1.0, Loss.LOGISTIC.gradient(0, 800), 0.0);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(ModelKind.BIASED_MF, 1f),
                Arguments.of(ModelKind.BIASED_MF, 2.5f),
                Arguments.of(ModelKind.LOGISTIC_MF, 1f),
                Arguments.of(ModelKind.LOGISTIC_MF, 0.5f));
    }

    /**
     * One event: the step SGD with rate 1 takes equals the gradient of
     * {@code w loss + regBias/2 (b_u^2 + b_i^2) + regFactor/2 (|p_u|^2 + |q_i|^2)}.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void appliedGradientOfOneEventShouldMatchCentralDifferencesOfTheObjective(ModelKind kind, float weight) {
        float label = kind == ModelKind.LOGISTIC_MF ? 1f : 4f;
        checkBatch(kind, List.of(new Rating("alice", "matrix", label, 0L, weight)));
    }

    /** A batch with repeated rows: the one step per row equals the gradient of the batch's summed objective. */
    @ParameterizedTest
    @MethodSource("cases")
    void appliedGradientOfABatchShouldMatchCentralDifferencesOfTheSummedObjective(ModelKind kind, float weight) {
        boolean binary = kind == ModelKind.LOGISTIC_MF;
        checkBatch(
                kind,
                List.of(
                        new Rating("alice", "matrix", binary ? 1f : 4f, 0L, weight),
                        new Rating("alice", "alien", binary ? 0f : 2f, 0L, 1f),
                        new Rating("bob", "matrix", binary ? 1f : 5f, 0L, weight),
                        new Rating("bob", "alien", binary ? 0f : 1f, 0L, 1f),
                        new Rating("alice", "matrix", binary ? 0f : 3f, 0L, 1f)));
    }

    private static void checkBatch(ModelKind kind, List<Rating> batch) {
        Hyperparameters h = Hyperparameters.defaults(kind)
                .withFactors(3)
                .withOptimizer(new Optimizer.Sgd())
                .withSchedule(new LearningRateSchedule.Constant(1))
                .withRegularization(0.07, 0.13)
                .withClipNorm(0)
                .withInit(0.4, 3);
        float mid = kind == ModelKind.LOGISTIC_MF ? 0.3f : 3.5f;
        Model model = new Model(h, new GlobalMean(mid * 10, 10), 0);
        for (Rating r : batch) {
            model.users().getOrCreate(r.user());
            model.items().getOrCreate(r.item());
        }
        // Non-zero biases, so the bias penalty shows.
        model.users().params()[0] = 0.3f;
        model.items().params()[0] = -0.2f;
        double offset = model.offset();
        float[] users = model.users().params().clone();
        float[] items = model.items().params().clone();
        int width = h.width();
        int userParams = model.users().size() * width;
        int itemParams = model.items().size() * width;

        MiniBatchLearner learner = new MiniBatchLearner(model, batch.size());
        for (Rating r : batch) {
            learner.learn(r);
        }
        assertEquals(0, learner.pending(), "the batch flushed");

        // theta = users then items, in double.
        double[] theta = new double[userParams + itemParams];
        for (int j = 0; j < userParams; j++) {
            theta[j] = users[j];
        }
        for (int j = 0; j < itemParams; j++) {
            theta[userParams + j] = items[j];
        }
        for (int j = 0; j < theta.length; j++) {
            double applied = j < userParams
                    ? users[j] - model.users().params()[j]
                    : items[j - userParams] - model.items().params()[j - userParams];
            double saved = theta[j];
            theta[j] = saved + STEP;
            double up = objective(model, h, offset, theta, userParams, batch);
            theta[j] = saved - STEP;
            double down = objective(model, h, offset, theta, userParams, batch);
            theta[j] = saved;
            double numeric = (up - down) / (2 * STEP);
            String what = j < userParams
                    ? "user row " + j / width + " parameter " + j % width
                    : "item row " + (j - userParams) / width + " parameter " + (j - userParams) % width;
            assertEquals(numeric, applied, FLOAT_TOLERANCE * Math.max(1, Math.abs(numeric)), what);
        }
    }

    /** The batch objective in double: per event, weighted loss plus the L2 penalty of both rows it touches. */
    private static double objective(
            Model model, Hyperparameters h, double offset, double[] theta, int itemStart, List<Rating> batch) {
        int width = h.width();
        double total = 0;
        for (Rating r : batch) {
            int u = model.users().indexOf(r.user()) * width;
            int i = itemStart + model.items().indexOf(r.item()) * width;
            double s = offset + theta[u] + theta[i];
            double penalty = h.regBias() / 2 * (theta[u] * theta[u] + theta[i] * theta[i]);
            for (int f = 1; f < width; f++) {
                s += theta[u + f] * theta[i + f];
                penalty += h.regFactor() / 2 * (theta[u + f] * theta[u + f] + theta[i + f] * theta[i + f]);
            }
            total += r.weight() * Loss.of(h.kind()).loss(r.label(), s) + penalty;
        }
        return total;
    }
}
