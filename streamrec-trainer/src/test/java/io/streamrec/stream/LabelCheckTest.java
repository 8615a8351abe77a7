package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The label check's statistic on streams whose slope of label on item quality is known (docs/gate.md). */
class LabelCheckTest {
    private static final int RECENT = 200;

    /** Labels that follow the items' quality x, with a per-user offset (harsh and generous raters) and noise. */
    private static double label(Random rnd, int user, double x, double slope) {
        return 3 + ((user % 5) - 2) * 0.4 + slope * x + rnd.nextGaussian() * 0.8;
    }

    /** Feeds {@code events} events of {@code users} users in runs of 8 (a user rates several items in a row). */
    private static int feed(LabelCheck c, Random rnd, int events, int users, double slope, int stopAtSuspect) {
        for (int k = 0; k < events; k++) {
            int user = (k / 8) % users;
            double x = rnd.nextGaussian() * 0.4;
            c.add("u" + user, x, label(rnd, user, x, slope), !c.suspect());
            if (stopAtSuspect > 0 && c.suspect()) {
                return k + 1;
            }
        }
        return -1;
    }

    @Test
    void aCleanStreamIsNeverSuspectAndAFlipIsFoundWithinTheRecentEvents() {
        Random rnd = new Random(1);
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        int suspects = 0;
        for (int k = 0; k < 70_000; k++) { // past a rebuild of the running sums (every 65,536 adds)
            int user = (k / 8) % 300;
            double x = rnd.nextGaussian() * 0.4;
            c.add("u" + user, x, label(rnd, user, x, 1.0), true);
            suspects += c.suspect() ? 1 : 0;
        }
        assertEquals(0, suspects, "checks that found a clean stream suspect");
        assertTrue(c.agrees());
        assertTrue(c.historySlope() > 0.8 && c.historySlope() < 1.2, "history slope " + c.historySlope());

        int found = feed(c, rnd, 5_000, 300, -1.0, 1);
        assertTrue(found > 0 && found <= RECENT, "flipped labels found after " + found + " events");
        assertTrue(c.recentSlope() < 0.5 * c.historySlope());
    }

    @Test
    void constantLabelsAreSuspectAndARunOfAHarshRaterIsNot() {
        Random rnd = new Random(2);
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        feed(c, rnd, 5_000, 300, 1.0, 0);
        // A harsh rater's run: every label two points lower, still in the items' order: an offset, not a shift.
        for (int k = 0; k < RECENT / 2; k++) {
            double x = rnd.nextGaussian() * 0.4;
            c.add("harsh", x, 1 + x + rnd.nextGaussian() * 0.5, true);
            assertFalse(c.suspect(), "a harsh rater's run after " + k + " events");
        }
        int found = -1;
        for (int k = 0; k < 2 * RECENT && found < 0; k++) {
            c.add("u" + (k / 8) % 300, rnd.nextGaussian() * 0.4, 5, false);
            found = c.suspect() ? k + 1 : -1;
        }
        assertTrue(found > 0 && found <= RECENT, "constant labels found after " + found + " events");
    }

    @Test
    void labelsShiftedAsAWholeAreSuspectThoughTheyKeepTheItemsOrder() {
        Random rnd = new Random(4);
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        feed(c, rnd, 5_000, 300, 1.0, 0);
        assertTrue(c.agrees());
        // A producer on another scale: every user's every label one point lower (the residual deviation is 0.8).
        int found = -1;
        for (int k = 0; k < 2 * RECENT && found < 0; k++) {
            int user = (k / 8) % 300;
            double x = rnd.nextGaussian() * 0.4;
            c.add("u" + user, x, label(rnd, user, x, 1.0) - 1, false);
            found = c.suspect() ? k + 1 : -1;
        }
        // Found once the shift outweighs the raters' own offsets in the recent events: 309 events here.
        assertTrue(found > 0 && found <= 2 * RECENT, "shifted labels found after " + found + " events");
        assertTrue(c.recentSlope() > 0.5 * c.historySlope(), "the slope alone would not have found them");
        assertTrue(c.recentShift() < -0.4, "shift " + c.recentShift());
    }

    @Test
    void fewUsersAreNotJudgedAndClearStartsOver() {
        Random rnd = new Random(3);
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        feed(c, rnd, 5_000, 300, 1.0, 0);
        // Flipped labels from fewer users than LabelCheck.MIN_USERS: too few independent observations.
        for (int k = 0; k < 2 * RECENT; k++) {
            int user = k % (LabelCheck.MIN_USERS - 1);
            double x = rnd.nextGaussian() * 0.4;
            c.add("v" + user, x, label(rnd, user, x, -1.0), false);
            if (k >= RECENT) { // the recent events are theirs only
                assertFalse(c.suspect(), "judged on " + (LabelCheck.MIN_USERS - 1) + " users");
            }
        }
        assertFalse(c.agrees(), "a check that cannot judge ends no suspicion");
        c.clear();
        assertEquals(0, c.historySize());
        assertEquals(-1, feed(c, rnd, 5 * RECENT, 300, -1.0, 1), "judged before the history refilled");
    }

    @Test
    void runningSumsAgreeWithAFreshCheckOverTheSameEvents() {
        // 200,000 events (three rebuilds of the running sums) against a check fed only the last 4,400 of them: the
        // same recent and history windows, so the same slopes and statistic, up to rounding.
        Random rnd = new Random(5);
        LabelCheck longRun = new LabelCheck(400, 4_000, 0.5, 3);
        LabelCheck fresh = new LabelCheck(400, 4_000, 0.5, 3);
        int n = 200_000;
        for (int k = 0; k < n; k++) {
            int user = (k / 8) % 300;
            double x = rnd.nextGaussian() * 0.4;
            double y = label(rnd, user, x, k < n / 2 ? 1.0 : 0.7);
            longRun.add("u" + user, x, y, true);
            if (k >= n - 4_400) {
                fresh.add("u" + user, x, y, true);
            }
        }
        longRun.suspect();
        fresh.suspect();
        assertEquals(fresh.recentSlope(), longRun.recentSlope(), 1e-9);
        assertEquals(fresh.historySlope(), longRun.historySlope(), 1e-9);
        assertEquals(fresh.z(), longRun.z(), 1e-6);
    }

    @Test
    void aRestoredHistoryJudgesAsTheOriginalOnceTheRecentEventsRefill() {
        Random rnd = new Random(5);
        LabelCheck before = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        // Item qualities and labels that floats hold exactly, so that the saved history is the history.
        java.util.function.DoubleUnaryOperator f = v -> (float) v;
        for (int k = 0; k < 3_000; k++) {
            int user = (k / 8) % 300;
            double x = f.applyAsDouble(rnd.nextGaussian() * 0.4);
            before.add("u" + user, x, f.applyAsDouble(label(rnd, user, x, 1.0)), true);
        }
        assertTrue(before.saveDue(), "the history turned over");
        byte[] saved = before.historyState();
        assertFalse(before.saveDue());

        LabelCheck restored = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        restored.restoreHistory(saved);
        assertEquals(before.historySize(), restored.historySize());
        // An attack right after the restart: flipped labels, fed to both (the restored check's recent events
        // start empty, the original's hold the clean stream's last ones).
        int foundBefore = -1;
        int foundRestored = -1;
        for (int k = 0; k < 2 * RECENT; k++) {
            int user = (k / 8) % 300;
            double x = f.applyAsDouble(rnd.nextGaussian() * 0.4);
            double y = f.applyAsDouble(label(rnd, user, x, -1.0));
            before.add("u" + user, x, y, false);
            restored.add("u" + user, x, y, false);
            foundBefore = foundBefore < 0 && before.suspect() ? k + 1 : foundBefore;
            foundRestored = foundRestored < 0 && restored.suspect() ? k + 1 : foundRestored;
        }
        assertTrue(foundRestored > 0 && foundRestored <= RECENT, "found after the restart at " + foundRestored);
        assertTrue(foundBefore > 0, "and without it at " + foundBefore);
        assertEquals(before.historySlope(), restored.historySlope(), 1e-9, "the same history judges");

        LabelCheck fresh = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        for (int k = 0; k < 2 * RECENT; k++) {
            fresh.add("u" + k % 300, 0.1, 1, false);
            assertFalse(fresh.suspect(), "without the saved history nothing is judged");
        }
        before.clear();
        assertTrue(before.saveDue(), "a cleared history is saved as cleared");
    }

    @Test
    void aSavedHistoryKeepsItsNewestEventsWithinARecordsSize() {
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        String longId = "u".repeat(400); // ids as long as this make the whole history too large for one record
        for (int k = 0; k < 12 * RECENT; k++) {
            c.add(longId + (k / 8) % 300, k, k % 5, true);
        }
        byte[] saved = c.historyState();
        assertTrue(saved.length <= Codecs.MAX_STATE_BYTES + 5, saved.length + " bytes");
        LabelCheck restored = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        restored.restoreHistory(saved);
        assertTrue(
                restored.historySize() > 0 && restored.historySize() < c.historySize(),
                restored.historySize() + " of " + c.historySize());
    }

    @Test
    void clicksAreJudgedAsRatingsAre() {
        // logistic-mf's labels: 0/1 clicks, more likely on better items (x on the logit scale).
        Random rnd = new Random(4);
        LabelCheck c = new LabelCheck(RECENT, 10 * RECENT, 0.5, 3);
        int suspects = 0;
        for (int k = 0; k < 20_000; k++) {
            double x = rnd.nextGaussian();
            double y = rnd.nextDouble() < 1 / (1 + Math.exp(-2 * x)) ? 1 : 0;
            c.add("u" + (k / 8) % 300, x, y, true);
            suspects += c.suspect() ? 1 : 0;
        }
        assertEquals(0, suspects, "checks that found clean clicks suspect");
        int found = -1;
        for (int k = 0; k < 2 * RECENT && found < 0; k++) {
            double x = rnd.nextGaussian();
            double y = rnd.nextDouble() < 1 / (1 + Math.exp(-2 * x)) ? 0 : 1; // flipped: 1 - label
            c.add("u" + (k / 8) % 300, x, y, false);
            found = c.suspect() ? k + 1 : -1;
        }
        assertTrue(found > 0 && found <= RECENT, "flipped clicks found after " + found + " events");
    }

    @Test
    void studentTApproachesTheNormalQuantile() {
        assertEquals(3.0, LabelCheck.studentT(3, 1_000_000), 1e-4);
        // Student's t at the normal's 3-sigma level (one-sided 0.135%): 4.094 at 9 degrees of freedom, 3.694 at 13,
        // 3.270 at 30 (exact values from scipy.stats.t.ppf).
        assertEquals(4.094, LabelCheck.studentT(3, 9), 0.02);
        assertEquals(3.694, LabelCheck.studentT(3, 13), 0.01);
        assertEquals(3.270, LabelCheck.studentT(3, 30), 0.005);
    }
}
