package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelKind;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The heap a table of user rows takes at the defaults (32 factors, row-wise AdaGrad), measured as
 * {@code bench-core --user-rows} measures it (189 bytes per row at a million rows; 428 with per-coordinate AdaGrad
 * and a {@code HashMap} of ids). The bound leaves room for the collector's rounding, not for per-row objects.
 */
class FactorTableMemoryTest {
    private static final int ROWS = 500_000;
    /** Issue 15's target is 200 MB per million rows. */
    private static final double MAX_BYTES_PER_ROW = 200;

    @Test
    void userRowsAtTheDefaultsShouldTakeUnder200BytesEach() {
        long before = usedHeap();
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        FactorTable users = model.users();
        for (int u = 0; u < ROWS; u++) {
            users.getOrCreate(Integer.toString(u));
        }
        double perRow = (double) (usedHeap() - before) / ROWS;

        assertEquals(ROWS, users.size());
        assertEquals(2, users.stateSize(), "row-wise AdaGrad: two floats of state per row");
        assertTrue(perRow < MAX_BYTES_PER_ROW, perRow + " bytes per row");
        assertEquals(ROWS - 1, users.indexOf(Integer.toString(ROWS - 1)), "the table is still reachable");
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
