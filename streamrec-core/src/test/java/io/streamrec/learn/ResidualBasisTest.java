package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualBasisTest {
    private static final int ITEMS = 40;
    private static final int USERS = 400;

    @Test
    void shouldComputeTheFirstBasisAfterTheFirstEventsThenAsTheyGrowByATenth() {
        ResidualBasis basis = new ResidualBasis(42);
        Random random = new Random(1);
        long[] versions = new long[200_000];
        for (int n = 0; n < versions.length; n++) {
            basis.observe("u" + random.nextInt(100), "i" + random.nextInt(ITEMS), random.nextGaussian());
            versions[n] = basis.current() == null ? -1 : basis.current().version();
        }

        assertEquals(-1, versions[ResidualBasis.MIN_REFRESH_EVENTS - 2]);
        assertEquals(0, versions[ResidualBasis.MIN_REFRESH_EVENTS - 1]);
        assertEquals(9, versions[50_000 - 1], "every 5,000 events up to 50,000");
        assertEquals(9, versions[54_999 - 1]);
        assertEquals(10, versions[55_000 - 1], "then a tenth of the events so far");
        assertEquals(11, versions[60_500 - 1]);
    }

    @Test
    void shouldTrackTheFirstItemsSeenThenTheBusiest() {
        ResidualBasis basis = new ResidualBasis(42);
        for (int i = 0; i < ResidualBasis.ITEMS + 100; i++) {
            basis.observe("u", "i" + i, 0);
        }
        String busy = "i" + (ResidualBasis.ITEMS + 50);
        while (basis.current() == null) {
            basis.observe("u", busy, 0);
        }

        ItemBasis first = basis.current();
        assertEquals(ResidualBasis.ITEMS, first.size());
        assertTrue(first.indexOf("i0") >= 0);
        assertTrue(first.indexOf(busy) >= 0, "the busiest item enters");
        assertEquals(
                -1, first.indexOf("i" + (ResidualBasis.ITEMS - 1)), "the last of the items tied at one event leaves");
        assertEquals(-1, first.indexOf("i" + (ResidualBasis.ITEMS + 99)));
    }

    /**
     * Two groups of items; each user's residuals are their taste (+1 or -1) on the first group and its opposite on
     * the second. Correlations are +1 within a group, -1 across: the basis must say so.
     */
    @Test
    void shouldFindPlantedGroupsOfItemsInTheResiduals() {
        ResidualBasis basis = new ResidualBasis(42);
        feedGroups(basis, USERS, new Random(7));

        ItemBasis y = basis.current();
        double[] y0 = coordinates(y, 0);
        for (int j = 1; j < ITEMS; j++) {
            double similarity = y.dot(y.indexOf("i" + j), y0, 0);
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
        ItemBasis before = basis.current();
        while (basis.current().version() < before.version() + 2) {
            feedGroups(basis, 10, random);
        }

        double[] was = coordinates(before, 0);
        double[] now = coordinates(basis.current(), 0);
        double norm = Math.sqrt(dot(was, was));
        double moved = 0;
        for (int c = 0; c < was.length; c++) {
            moved += (now[c] - was[c]) * (now[c] - was[c]);
        }
        assertTrue(norm > 0.5, "item 0's coordinates have norm " + norm);
        assertTrue(Math.sqrt(moved) < 0.1 * norm, "moved by " + Math.sqrt(moved) + " of " + norm);
    }

    @Test
    void shouldGiveTheSameBasesForTheSameObservations() {
        ResidualBasis a = new ResidualBasis(42);
        ResidualBasis b = new ResidualBasis(42);
        feedGroups(a, USERS, new Random(3));
        feedGroups(b, USERS, new Random(3));

        for (int i = 0; i < ITEMS; i++) {
            assertArrayEquals(coordinates(a.current(), i), coordinates(b.current(), i));
        }
        assertNull(new ResidualBasis(42).current());
    }

    /** Past its bound the learner drops the history of the user whose last event is the oldest, not the first seen. */
    @Test
    void shouldDropTheLeastRecentlyActiveUsersHistoryPastTheBound() {
        ResidualBasis basis = new ResidualBasis(42, 2);
        basis.observe("a", "i0", 0.5);
        basis.observe("b", "i1", 0.5);
        basis.observe("a", "i2", 0.5);
        basis.observe("c", "i3", 0.5);

        assertEquals(2, basis.users());
        assertEquals(2, basis.historySize("a"), "a was active after b");
        assertEquals(-1, basis.historySize("b"), "b's last event is the oldest");
        assertEquals(1, basis.historySize("c"));
        basis.observe("b", "i4", 0.5);
        assertEquals(1, basis.historySize("b"), "b starts a new history");
        assertEquals(-1, basis.historySize("a"));
    }

    /**
     * Users who rate in sessions pair their residuals while they are among the most recent: a learner that keeps only
     * a handful of histories still finds the planted groups, and learns the same bases as another with the same
     * bound and observations.
     */
    @Test
    void shouldStillLearnFromSessionsWithFewHistoriesKept() {
        ResidualBasis small = new ResidualBasis(42, 3);
        ResidualBasis twin = new ResidualBasis(42, 3);
        feedGroups(small, USERS, new Random(7));
        feedGroups(twin, USERS, new Random(7));

        assertEquals(3, small.users());
        ItemBasis y = small.current();
        double[] y0 = coordinates(y, 0);
        for (int j = 1; j < ITEMS; j++) {
            double similarity = y.dot(y.indexOf("i" + j), y0, 0);
            assertTrue(group(j) == group(0) ? similarity > 0.5 : similarity < -0.5, "item " + j + ": " + similarity);
            assertArrayEquals(coordinates(y, j), coordinates(twin.current(), j));
        }
    }

    /**
     * A learner rebuilt from the entries it wrote goes on exactly as one that never stopped: same bases to the last
     * bit, same users kept. Past {@link ResidualBasis#ITEMS} items (tracked items change) and past the users' bound
     * (histories dropped), drained at irregular points, restored twice.
     */
    @Test
    void shouldGoOnExactlyAfterARestoreFromItsEntries() {
        int events = 40_000;
        long[] users = new long[events];
        int[] items = new int[events];
        double[] residuals = new double[events];
        Random random = new Random(11);
        for (int n = 0; n < events; n++) {
            users[n] = random.nextInt(300);
            // Zipf-like: low ids are busy, so the busiest items change as the stream goes.
            items[n] = (int) (Math.pow(random.nextDouble(), 2) * (ResidualBasis.ITEMS + 200));
            residuals[n] = ((users[n] + items[n]) % 3 - 1) + 0.5 * random.nextGaussian();
        }
        ResidualBasis straight = new ResidualBasis(42, 120);
        java.util.Map<String, byte[]> store = new java.util.HashMap<>();
        ResidualBasis restarted = new ResidualBasis(42, 120);
        int restores = 0;
        for (int n = 0; n < events; n++) {
            straight.observe("u" + users[n], "i" + items[n], residuals[n]);
            restarted.observe("u" + users[n], "i" + items[n], residuals[n]);
            if (n % 997 == 0) {
                restarted.drainChanges((key, value) -> {
                    if (value == null) {
                        store.remove(key);
                    } else {
                        store.put(key, value);
                    }
                });
            }
            if (n == 12_345 || n == 31_001) {
                restarted.drainChanges((key, value) -> {
                    if (value == null) {
                        store.remove(key);
                    } else {
                        store.put(key, value);
                    }
                });
                restarted = ResidualBasis.restore(42, 120, store);
                restores++;
            }
        }

        assertEquals(2, restores);
        assertTrue(
                straight.current().version() > 3,
                "several bases: " + straight.current().version());
        assertEquals(straight.events(), restarted.events());
        assertEquals(straight.users(), restarted.users());
        assertEquals(120, restarted.users());
        ItemBasis a = straight.current();
        ItemBasis b = restarted.current();
        assertEquals(a.version(), b.version());
        assertEquals(a.size(), b.size());
        for (int place = 0; place < a.size(); place++) {
            assertEquals(a.id(place), b.id(place));
            for (int c = 0; c < ResidualBasis.RANK; c++) {
                assertEquals(a.coordinate(place, c), b.coordinate(place, c), "item " + a.id(place) + ", " + c);
            }
        }
        assertEquals(a.version(), ItemBasis.fromBytes(a.toBytes()).version());
        assertEquals(0, ResidualBasis.restore(42, 120, java.util.Map.of()).events(), "an empty store: a new learner");
    }

    /** Each user rates every item once, in random order. */
    private static void feedGroups(ResidualBasis basis, int users, Random random) {
        for (int u = 0; u < users; u++) {
            double taste = random.nextBoolean() ? 1 : -1;
            String user = "u" + random.nextLong();
            for (int i : random.ints(0, ITEMS).distinct().limit(ITEMS).toArray()) {
                basis.observe(user, "i" + i, taste * group(i) + 0.3 * random.nextGaussian());
            }
        }
    }

    private static int group(int item) {
        return item % 2 == 0 ? 1 : -1;
    }

    private static double[] coordinates(ItemBasis basis, int item) {
        double[] y = new double[ResidualBasis.RANK];
        basis.addScaled(basis.indexOf("i" + item), 1, y, 0);
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += a[c] * b[c];
        }
        return s;
    }
}
