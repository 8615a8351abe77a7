package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HoldoutTest {

    /** 1000 distinct ratings (user id = position) with shuffled timestamps. */
    private static List<Rating> ratings() {
        List<Long> times = new ArrayList<>();
        for (long t = 0; t < 1000; t++) {
            times.add(t * 10);
        }
        Collections.shuffle(times, new java.util.Random(1));
        List<Rating> out = new ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            out.add(new Rating(String.valueOf(k), "i", 3f, times.get(k)));
        }
        return out;
    }

    @Test
    void shouldSplitRandomlyIntoDisjointPartsOfTheRightSize() {
        List<Rating> all = ratings();
        Holdout.Split s = Holdout.random(all, 0.8, 42);
        assertEquals(800, s.train().size());
        assertEquals(200, s.test().size());
        Set<String> users = new HashSet<>();
        s.train().forEach(r -> users.add(r.user()));
        s.test().forEach(r -> users.add(r.user()));
        assertEquals(1000, users.size(), "every rating lands in exactly one part");
    }

    @Test
    void shouldSplitTheSameWayForTheSameSeed() {
        List<Rating> all = ratings();
        Holdout.Split a = Holdout.random(all, 0.7, 42);
        assertEquals(a, Holdout.random(all, 0.7, 42));
        assertNotEquals(a.test(), Holdout.random(all, 0.7, 43).test());
    }

    @Test
    void shouldKeepInputOrderInsideEachRandomPart() {
        Holdout.Split s = Holdout.random(ratings(), 0.5, 1);
        for (List<Rating> part : List.of(s.train(), s.test())) {
            for (int k = 1; k < part.size(); k++) {
                assertTrue(Integer.parseInt(part.get(k).user())
                        > Integer.parseInt(part.get(k - 1).user()));
            }
        }
    }

    @Test
    void shouldHoldOutTheLatestEventsByTime() {
        Holdout.Split s = Holdout.byTime(ratings(), 0.75);
        assertEquals(750, s.train().size());
        assertEquals(250, s.test().size());
        assertEquals(0L, s.train().get(0).timestamp());
        assertEquals(7490L, s.train().get(749).timestamp());
        assertEquals(7500L, s.test().get(0).timestamp());
        assertEquals(9990L, s.test().get(249).timestamp());
    }

    @Test
    void shouldAcceptTheEdgeFractionsAndRejectOthers() {
        assertEquals(0, Holdout.random(ratings(), 0.0, 1).train().size());
        assertEquals(1000, Holdout.byTime(ratings(), 1.0).train().size());
        assertThrows(IllegalArgumentException.class, () -> Holdout.random(ratings(), 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Holdout.byTime(ratings(), Double.NaN));
    }
}
