package io.streamrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
    private static final double TOLERANCE = 1e-12;

    @Test
    void shouldComputeTheMannWhitneyAucWithTiesCountedAsHalf() {
        BinaryMetrics m = new BinaryMetrics();
        // positives at 0.9, 0.4; negatives at 0.4 (a tie), 0.1: pairs (pos > neg) = 0.9>0.4, 0.9>0.1, 0.4>0.1, tie 0.5
        m.add(1, 0.9);
        m.add(1, 0.4);
        m.add(0, 0.4);
        m.add(0, 0.1);
        assertEquals(3.5 / 4, m.auc(), TOLERANCE);
        double expectedLogLoss = (-Math.log(0.9) - Math.log(0.4) - Math.log(0.6) - Math.log(0.9)) / 4;
        assertEquals(expectedLogLoss, m.logLoss(), TOLERANCE);
    }

    @Test
    void shouldClampScoresOutsideTheUnitIntervalInsteadOfFailing() {
        BinaryMetrics m = new BinaryMetrics();
        m.add(1, 1.5);
        m.add(0, -0.5);
        assertEquals(1.0, m.auc(), TOLERANCE);
        assertEquals(2, m.count());
    }

    @Test
    void shouldHaveNoAucUntilBothClassesWereSeen() {
        BinaryMetrics m = new BinaryMetrics();
        m.add(1, 0.7);
        assertEquals(Double.NaN, m.auc());
    }
}
