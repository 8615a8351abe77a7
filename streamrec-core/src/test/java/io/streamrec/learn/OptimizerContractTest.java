package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link Optimizer} keeps, checked for each one (River's {@code optim/test_.py} style): true
 * gradients in, a step that subtracts, caller-owned state that starts at zero, immutable configurations.
 */
class OptimizerContractTest {

    private static final int WIDTH = 5;
    /** How close to the minimum of the test quadratic every optimizer must get. */
    private static final float CONVERGENCE_TOLERANCE = 1e-3f;

    /**
     * An optimizer with a learning rate and a step budget that suit it on the test quadratic.
     */
    record Case(Optimizer optimizer, float learningRate, int steps) {
        @Override
        public String toString() {
            return optimizer.toString();
        }
    }

    static Stream<Case> optimizers() {
        return Stream.of(
                new Case(new Optimizer.Sgd(), 0.2f, 500),
                new Case(new Optimizer.AdaGrad(Optimizer.AdaGrad.DEFAULT_EPSILON), 0.5f, 3000),
                new Case(new Optimizer.AdaGrad(1e-8f), 0.5f, 3000),
                new Case(new Optimizer.RowAdaGrad(Optimizer.AdaGrad.DEFAULT_EPSILON), 0.5f, 3000),
                new Case(new Optimizer.RowAdaGrad(1e-8f), 0.5f, 3000),
                new Case(
                        new Optimizer.Adam(
                                Optimizer.Adam.DEFAULT_BETA1,
                                Optimizer.Adam.DEFAULT_BETA2,
                                Optimizer.Adam.DEFAULT_EPSILON),
                        0.01f,
                        3000));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void zeroGradientShouldLeaveParametersUnchangedFromAFreshState(Case c) {
        float[] params = {1f, -2f, 0.5f, 0f, 3f};
        float[] state = new float[c.optimizer().stateSize(WIDTH)];

        c.optimizer().step(params, 0, state, 0, new float[WIDTH], 0, WIDTH, c.learningRate());

        assertArrayEquals(new float[] {1f, -2f, 0.5f, 0f, 3f}, params);
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void stepShouldMoveEachCoordinateAgainstItsGradient(Case c) {
        float[] params = new float[WIDTH];
        float[] grad = {1f, -1f, 0.01f, -100f, 0f};
        float[] state = new float[c.optimizer().stateSize(WIDTH)];

        c.optimizer().step(params, 0, state, 0, grad, 0, WIDTH, c.learningRate());

        for (int j = 0; j < WIDTH; j++) {
            assertEquals(-Math.signum(grad[j]), Math.signum(params[j]), 0f, "coordinate " + j + ": " + params[j]);
        }
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void repeatedStepsShouldConvergeToTheMinimumOfAConvexQuadratic(Case c) {
        // f(x) = 1/2 sum a_j (x_j - m_j)^2, badly scaled on purpose (curvatures 0.3 .. 3).
        float[] curvature = {0.3f, 1f, 3f, 0.5f, 2f};
        float[] minimum = {1f, -2f, 0.5f, 4f, -0.25f};
        float[] x = new float[WIDTH];
        float[] grad = new float[WIDTH];
        float[] state = new float[c.optimizer().stateSize(WIDTH)];
        for (int t = 0; t < c.steps(); t++) {
            for (int j = 0; j < WIDTH; j++) {
                grad[j] = curvature[j] * (x[j] - minimum[j]);
            }
            c.optimizer().step(x, 0, state, 0, grad, 0, WIDTH, c.learningRate());
        }
        assertArrayEquals(minimum, x, CONVERGENCE_TOLERANCE);
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void shouldTouchOnlyItsOwnSliceOfSharedArrays(Case c) {
        Optimizer o = c.optimizer();
        int stateSize = o.stateSize(WIDTH);
        float[] params = new float[3 * WIDTH];
        float[] state = new float[3 * stateSize];
        float[] grad = new float[3 * WIDTH];
        java.util.Arrays.fill(grad, 1f);

        o.step(params, WIDTH, state, stateSize, grad, WIDTH, WIDTH, c.learningRate());

        for (int j = 0; j < 3 * WIDTH; j++) {
            boolean mine = j >= WIDTH && j < 2 * WIDTH;
            assertEquals(mine, params[j] != 0f, "parameter " + j);
        }
        for (int j = 0; j < 3 * stateSize; j++) {
            if (j < stateSize || j >= 2 * stateSize) {
                assertEquals(0f, state[j], "state " + j + " belongs to another row");
            }
        }
    }

    @Test
    void stateSizesShouldBeAsDocumented() {
        assertEquals(0, new Optimizer.Sgd().stateSize(WIDTH));
        assertEquals(WIDTH, new Optimizer.AdaGrad(1f).stateSize(WIDTH));
        assertEquals(2, new Optimizer.RowAdaGrad(1f).stateSize(WIDTH));
        assertEquals(2, new Optimizer.RowAdaGrad(1f).stateSize(33));
        assertEquals(1, new Optimizer.RowAdaGrad(1f).stateSize(1));
        assertEquals(2 * WIDTH + 1, new Optimizer.Adam(0.9f, 0.999f, 1e-8f).stateSize(WIDTH));
    }

    @Test
    void sgdShouldTakeExactlyTheRateTimesTheGradient() {
        float[] params = {1f, 2f};
        new Optimizer.Sgd().step(params, 0, new float[0], 0, new float[] {0.5f, -4f}, 0, 2, 0.25f);
        assertArrayEquals(new float[] {1f - 0.125f, 3f}, params);
    }

    @Test
    void adaGradStateShouldSumSquaredGradients() {
        Optimizer o = new Optimizer.AdaGrad(1f);
        float[] params = new float[2];
        float[] state = new float[2];
        o.step(params, 0, state, 0, new float[] {3f, -1f}, 0, 2, 1f);
        assertArrayEquals(new float[] {9f, 1f}, state);
        // First step: -lr g / (sqrt(g^2) + eps) = -3/4 and 1/2.
        assertArrayEquals(new float[] {-0.75f, 0.5f}, params, 1e-7f);

        o.step(params, 0, state, 0, new float[] {4f, 0f}, 0, 2, 1f);
        assertArrayEquals(new float[] {25f, 1f}, state);
        assertArrayEquals(new float[] {-0.75f - 4f / 6f, 0.5f}, params, 1e-6f);
    }

    @Test
    void rowAdaGradShouldKeepOneSumForTheBiasAndOneOfMeanSquaredFactorGradients() {
        Optimizer o = new Optimizer.RowAdaGrad(1f);
        float[] params = new float[3];
        float[] state = new float[2];
        o.step(params, 0, state, 0, new float[] {3f, 1f, -3f}, 0, 3, 1f);
        // Bias: 3^2; factors: (1 + 9) / 2.
        assertArrayEquals(new float[] {9f, 5f}, state);
        float rate = 1f / ((float) Math.sqrt(5f) + 1f);
        assertArrayEquals(new float[] {-0.75f, -rate, 3f * rate}, params, 1e-6f);
    }

    @Test
    void rowAdaGradShouldEqualPerCoordinateAdaGradWhenTheFactorGradientsHaveOneSize() {
        // Chin et al.'s premise: when a row's coordinates see gradients of one size, the two forms are the same.
        Optimizer row = new Optimizer.RowAdaGrad(1f);
        Optimizer coordinate = new Optimizer.AdaGrad(1f);
        float[] a = new float[WIDTH];
        float[] b = new float[WIDTH];
        float[] rowState = new float[row.stateSize(WIDTH)];
        float[] coordinateState = new float[coordinate.stateSize(WIDTH)];
        SplittableRandom rnd = new SplittableRandom(3);
        float[] grad = new float[WIDTH];
        for (int t = 0; t < 20; t++) {
            float size = (float) rnd.nextDouble(0.1, 2);
            for (int j = 0; j < WIDTH; j++) {
                grad[j] = rnd.nextBoolean() ? size : -size;
            }
            grad[0] = (float) rnd.nextGaussian();
            row.step(a, 0, rowState, 0, grad, 0, WIDTH, 0.3f);
            coordinate.step(b, 0, coordinateState, 0, grad, 0, WIDTH, 0.3f);
        }
        assertArrayEquals(b, a, 1e-5f);
    }

    @Test
    void adamStateShouldHoldTheMomentsAndTheStepCount() {
        float b1 = 0.9f;
        float b2 = 0.999f;
        Optimizer o = new Optimizer.Adam(b1, b2, 1e-8f);
        float[] params = new float[2];
        float[] state = new float[o.stateSize(2)];
        float[] g = {2f, -0.5f};

        o.step(params, 0, state, 0, g, 0, 2, 0.1f);

        assertArrayEquals(new float[] {(1 - b1) * 2f, (1 - b1) * -0.5f}, new float[] {state[0], state[1]}, 1e-7f);
        assertArrayEquals(new float[] {(1 - b2) * 4f, (1 - b2) * 0.25f}, new float[] {state[2], state[3]}, 1e-7f);
        assertEquals(1f, state[4], "step count");
        // Bias correction makes the first step about lr * sign(g).
        assertArrayEquals(new float[] {-0.1f, 0.1f}, params, 1e-5f);

        o.step(params, 0, state, 0, g, 0, 2, 0.1f);
        assertEquals(2f, state[4], "step count");
    }

    @Test
    void adamShouldKeepMovingOnZeroGradientOnceItHasMomentum() {
        Optimizer o = new Optimizer.Adam(0.9f, 0.999f, 1e-8f);
        float[] params = new float[1];
        float[] state = new float[o.stateSize(1)];
        o.step(params, 0, state, 0, new float[] {1f}, 0, 1, 0.1f);
        float after = params[0];

        o.step(params, 0, state, 0, new float[] {0f}, 0, 1, 0.1f);

        assertTrue(params[0] < after, "momentum carries on: " + after + " -> " + params[0]);
    }

    @Test
    void configurationsShouldBeValuesThatParseByName() {
        assertEquals(new Optimizer.AdaGrad(1f), new Optimizer.AdaGrad(1f));
        assertEquals(new Optimizer.AdaGrad(1f).hashCode(), new Optimizer.AdaGrad(1f).hashCode());
        assertNotEquals(new Optimizer.AdaGrad(1f), new Optimizer.AdaGrad(0.5f));
        assertEquals(new Optimizer.Adam(0.9f, 0.999f, 1e-8f), new Optimizer.Adam(0.9f, 0.999f, 1e-8f));
        assertEquals(new Optimizer.Sgd(), new Optimizer.Sgd());
        assertNotEquals(new Optimizer.AdaGrad(1f), new Optimizer.RowAdaGrad(1f));
        for (Optimizer o : new Optimizer[] {
            new Optimizer.Sgd(),
            new Optimizer.RowAdaGrad(1f),
            new Optimizer.AdaGrad(1f),
            new Optimizer.Adam(0.9f, 0.999f, 1e-8f)
        }) {
            assertEquals(o, Optimizer.parse(o.name()), "defaults by name");
            assertEquals(o, Optimizer.parse(o.name().toUpperCase(java.util.Locale.ROOT)));
        }
    }

    @Test
    void invalidSettingsShouldBeRejectedWithMessages() {
        assertEquals(
                "AdaGrad epsilon must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Optimizer.AdaGrad(0f))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Optimizer.AdaGrad(Float.NaN));
        assertEquals(
                "row-adagrad epsilon must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Optimizer.RowAdaGrad(0f))
                        .getMessage());
        assertEquals(
                "Adam betas must be in [0, 1), got 1.0, 0.999",
                assertThrows(IllegalArgumentException.class, () -> new Optimizer.Adam(1f, 0.999f, 1e-8f))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Optimizer.Adam(0.9f, -0.1f, 1e-8f));
        assertEquals(
                "Adam epsilon must be > 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Optimizer.Adam(0.9f, 0.999f, -1f))
                        .getMessage());
        assertEquals(
                "optimizer must be one of sgd, row-adagrad, adagrad, adam; got \"rmsprop\"",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("rmsprop"))
                        .getMessage());
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void sameGradientsShouldGiveTheSameStepsWhateverTheRowOffset(Case c) {
        // Determinism and independence from where a row lives: two rows stepped with the same seeded gradients.
        Optimizer o = c.optimizer();
        int stateSize = o.stateSize(WIDTH);
        float[] params = new float[2 * WIDTH];
        float[] state = new float[2 * stateSize];
        SplittableRandom rnd = new SplittableRandom(7);
        float[] grad = new float[WIDTH];
        for (int t = 0; t < 50; t++) {
            for (int j = 0; j < WIDTH; j++) {
                grad[j] = (float) rnd.nextGaussian();
            }
            o.step(params, 0, state, 0, grad, 0, WIDTH, c.learningRate());
            o.step(params, WIDTH, state, stateSize, grad, 0, WIDTH, c.learningRate());
        }
        for (int j = 0; j < WIDTH; j++) {
            assertEquals(params[j], params[WIDTH + j], 0f, "coordinate " + j);
        }
    }
}
