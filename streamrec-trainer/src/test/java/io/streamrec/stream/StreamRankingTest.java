package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import org.junit.jupiter.api.Test;

class StreamRankingTest {
    /** A popularity-shaped model of {@code n} items, item k with bias n - k, and one user. */
    private static Model model(int n) {
        Model m = new Model(Hyperparameters.defaults(ModelKind.POPULARITY));
        m.users().getOrCreate("u");
        float[] row = new float[m.hyper().width()];
        for (int k = 0; k < n; k++) {
            row[0] = n - k;
            m.items().put("i" + k, row, 0, null, 0, 0, 0);
        }
        return m;
    }

    @Test
    void shouldRankEveryEventOfAKnownUserOnASmallCatalogue() {
        Model m = model(30);
        StreamRanking r = new StreamRanking();
        assertEquals(-1, r.evaluate(m, "u", 0, 3)); // no earlier item of the user yet
        r.seen("u", 0);
        assertEquals(3, r.evaluate(m, "u", 0, 3)); // i1 and i2 ahead; i0 left out
        assertEquals(0, r.evaluate(m, "u", 0, 20)); // 19 items ahead: a miss at 10
        assertEquals(0, r.evaluate(m, "u", 0, 0)); // already the user's: a miss
        assertEquals(0, r.evaluate(m, "u", 0, -1)); // an item the task does not know: a miss
        assertEquals(-1, r.evaluate(m, "u", -1, 3)); // a user without a row here is not ranked
        assertEquals(0.25, r.recall(), 1e-9);
    }

    @Test
    void shouldRankAboutOneEventInCostOverBudgetOnALargeCatalogue() {
        Model m = model(40_000); // width 1: a pass costs 40,000 multiply-adds, about ten events' budget
        StreamRanking r = new StreamRanking();
        r.seen("u", 0);
        int ranked = 0;
        for (int e = 0; e < 1000; e++) {
            ranked += r.evaluate(m, "u", 0, 1) >= 0 ? 1 : 0;
        }
        long every = (m.items().size() * (long) m.items().width() + StreamRanking.BUDGET - 1) / StreamRanking.BUDGET;
        assertEquals(1000 / every, ranked, 1);
        assertTrue(ranked > 0);
        assertEquals(1.0, r.recall(), 1e-9); // item 1 is first once item 0 is left out
    }

    @Test
    void shouldKeepTheSeenItemsBoundedByTrackingAHashedShareOfUsersEachFromTheirFirstEvent() {
        Model m = model(30);
        int users = 10_000;
        int itemsEach = 5;
        StreamRanking r = new StreamRanking(1000);
        boolean[] everUntracked = new boolean[users];
        for (int k = 0; k < itemsEach; k++) {
            for (int user = 0; user < users; user++) {
                r.seen("user-" + user, k);
                assertTrue(r.size() <= 1000, "size " + r.size());
                everUntracked[user] |= !r.tracked("user-" + user);
            }
        }
        // 10,000 users costing 5 + 16 each against room for 1,000: about 47 users, so 1 in 128 to 1 in 512 tracked
        // (a level further would need the hash to put twice the expected users in the share).
        assertTrue(r.trackedShare() <= 1.0 / 128 && r.trackedShare() >= 1.0 / 512, "share " + r.trackedShare());
        int tracked = 0;
        for (int user = 0; user < users; user++) {
            if (r.tracked("user-" + user)) {
                tracked++;
                assertFalse(everUntracked[user], "user-" + user + " was dropped and tracked again");
            }
        }
        // Every user still tracked has all of its items: it was tracked from its first event on.
        assertEquals((long) tracked * itemsEach, r.held());
        double expected = users * r.trackedShare();
        assertTrue(
                tracked > 0 && Math.abs(tracked - expected) < 0.5 * expected,
                tracked + " users tracked, expected " + expected);

        // Only tracked users' events are ranked, and the budget is kept for them.
        int rankedUntracked = 0;
        int rankedTracked = 0;
        for (int user = 0; user < users; user++) {
            int rank = r.evaluate(m, "user-" + user, 0, 7);
            if (rank >= 0) {
                if (r.tracked("user-" + user)) {
                    rankedTracked++;
                } else {
                    rankedUntracked++;
                }
            }
        }
        assertEquals(0, rankedUntracked);
        assertEquals(tracked, rankedTracked); // a small catalogue: every tracked user's event is ranked
    }
}
