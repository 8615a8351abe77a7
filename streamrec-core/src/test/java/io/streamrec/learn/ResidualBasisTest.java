package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualBasisTest {
    private static final int ITEMS = 40;
    private static final int USERS = 400;

    @Test
    void shouldTrackTheFirstItemsSeenThenTheBusiest() {
        ResidualBasis basis = new ResidualBasis(42);
        for (int i = 0; i < ResidualBasis.ITEMS + 100; i++) {
            event(basis, i, i + 1);
        }
        int busy = ResidualBasis.ITEMS + 50;
        while (!basis.ready()) {
            event(basis, busy, ResidualBasis.ITEMS + 100);
        }

        assertTrue(basis.tracked(0));
        assertTrue(basis.tracked(busy), "the busiest item enters");
        assertFalse(basis.tracked(ResidualBasis.ITEMS - 1), "the last of the items tied at one event leaves");
        assertFalse(basis.tracked(ResidualBasis.ITEMS + 99));
    }

    /**
     * Two groups of items; each user's residuals are their taste (+1 or -1) on the first group and its opposite on
     * the second. Correlations are +1 within a group, -1 across: the basis must say so.
     */
    @Test
    void shouldFindPlantedGroupsOfItemsInTheResiduals() {
        ResidualBasis basis = plantedGroups(USERS);

        assertTrue(basis.ready());
        double[] y0 = coordinates(basis, 0);
        for (int j = 1; j < ITEMS; j++) {
            double similarity = basis.dot(j, y0, 0);
            if (group(j) == group(0)) {
                assertTrue(similarity > 0.5, "item " + j + ", same group: " + similarity);
            } else {
                assertTrue(similarity < -0.5, "item " + j + ", other group: " + similarity);
            }
        }
    }

    /** A later basis is rotated onto the earlier one: an item's coordinates barely move when little changes. */
    @Test
    void shouldKeepCoordinatesAcrossARecomputation() {
        Random random = new Random(7);
        ResidualBasis basis = new ResidualBasis(42);
        feedGroups(basis, USERS, random);
        double[] before = coordinates(basis, 0);
        double norm = Math.sqrt(dot(before, before));
        long refreshes = 0;
        double[] after = before;
        while (refreshes < 2) {
            feedGroups(basis, 50, random);
            double[] now = coordinates(basis, 0);
            if (!java.util.Arrays.equals(now, after)) {
                refreshes++;
                after = now;
            }
        }
        double[] diff = new double[before.length];
        for (int c = 0; c < diff.length; c++) {
            diff[c] = after[c] - before[c];
        }
        assertTrue(norm > 0.5, "item 0's coordinates have norm " + norm);
        assertTrue(Math.sqrt(dot(diff, diff)) < 0.1 * norm, "moved by " + Math.sqrt(dot(diff, diff)) + " of " + norm);
    }

    private static ResidualBasis plantedGroups(int users) {
        ResidualBasis basis = new ResidualBasis(42);
        feedGroups(basis, users, new Random(7));
        return basis;
    }

    /** Each user rates every item once, in random order; pairs with the user's earlier items, as the layer adds them. */
    private static void feedGroups(ResidualBasis basis, int users, Random random) {
        for (int u = 0; u < users; u++) {
            double taste = random.nextBoolean() ? 1 : -1;
            int[] order = random.ints(0, ITEMS).distinct().limit(ITEMS).toArray();
            double[] residual = new double[ITEMS];
            for (int n = 0; n < ITEMS; n++) {
                int i = order[n];
                residual[n] = taste * group(i) + 0.3 * random.nextGaussian();
                basis.beforeEvent(ITEMS);
                basis.countEvent(i);
                for (int h = 0; h < n; h++) {
                    basis.addPair(i, residual[n], order[h], residual[h]);
                }
            }
        }
    }

    private static int group(int item) {
        return item % 2 == 0 ? 1 : -1;
    }

    private static double[] coordinates(ResidualBasis basis, int item) {
        double[] y = new double[ResidualBasis.RANK];
        basis.addScaled(item, 1, y, 0);
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += a[c] * b[c];
        }
        return s;
    }

    private static void event(ResidualBasis basis, int item, int items) {
        basis.beforeEvent(items);
        basis.countEvent(item);
    }
}
