package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.streamrec.learn.Optimizer;
import org.junit.jupiter.api.Test;

/** How a row stored by one optimizer resumes under the table's optimizer ({@link RowLoader#stateFor}). */
class RowLoaderStateTest {

    @Test
    void stateOfTheTablesShapeShouldBeKeptAsItIs() {
        float[] stored = {4f, 2f};
        assertSame(stored, RowLoader.stateFor(stored, 5, 2));
    }

    @Test
    void perCoordinateAdaGradStateShouldBecomeTheRowWiseStateThatTheSameStepsGive() {
        // The same gradients through both optimizers: converting the per-coordinate sums must give row-adagrad's.
        Optimizer coordinate = new Optimizer.AdaGrad(1f);
        Optimizer row = new Optimizer.RowAdaGrad(1f);
        int width = 4;
        float[] coordinateState = new float[coordinate.stateSize(width)];
        float[] rowState = new float[row.stateSize(width)];
        float[][] grads = {{1f, 2f, -1f, 0.5f}, {-0.5f, 0f, 3f, -2f}};
        for (float[] g : grads) {
            coordinate.step(new float[width], 0, coordinateState, 0, g, 0, width, 0.1f);
            row.step(new float[width], 0, rowState, 0, g, 0, width, 0.1f);
        }

        assertArrayEquals(rowState, RowLoader.stateFor(coordinateState, width, row.stateSize(width)), 1e-6f);
    }

    @Test
    void stateOfAnotherOptimizerShouldStartFresh() {
        assertNull(RowLoader.stateFor(new float[9], 4, 2), "Adam's moments and step count");
        assertNull(RowLoader.stateFor(new float[0], 4, 2), "plain SGD");
        assertNull(RowLoader.stateFor(new float[2], 4, 4), "row-wise state under per-coordinate AdaGrad");
    }
}
