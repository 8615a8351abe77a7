package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualFitTest {
    private static final double TOLERANCE = 0.01;

    @Test
    void shouldSolveTheRidgeInClosedFormForOneFeature() {
        // (4 + 1)^-1 * 6
        assertArrayEquals(new double[] {1.2}, ResidualFit.solve(new double[][] {{4}}, new double[] {6}), 1e-12);
    }

    @Test
    void shouldRecoverPlantedWeights() {
        ResidualFit fit = new ResidualFit(3);
        Random random = new Random(1);
        double[] x = new double[3];
        for (int n = 0; n < 20_000; n++) {
            for (int f = 0; f < 3; f++) {
                x[f] = random.nextGaussian();
            }
            fit.add(x, 0.5 * x[0] - 2 * x[1] + 0.1 * random.nextGaussian());
        }

        assertArrayEquals(new double[] {0.5, -2, 0}, fit.weights(), TOLERANCE);
        assertEquals(0.5 - 2, fit.predict(new double[] {1, 1, 1}), TOLERANCE);
    }

    @Test
    void shouldRefuseAFitWithoutFeatures() {
        assertThrows(IllegalArgumentException.class, () -> new ResidualFit(0));
    }
}
