package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.model.ModelKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The blocks of the rating matrix: every event once, in its block, and the same blocks (their shuffled order
 * included) on one thread or two.
 */
class RatingBlocksTest {
    private static final List<Rating> EVENTS =
            new SyntheticRatings(SyntheticRatings.Spec.explicit(300, 200, 3, 17).withZipf(0.5)).take(20_000);
    private static final int BINS = 7;

    private static Model model() {
        return new Model(
                Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF).withFactors(3), GlobalMean.of(EVENTS), 0);
    }

    @Test
    void shouldBuildTheSameBlocksWithTheItemRowsOnASecondThread() {
        Model oneModel = model();
        Model twoModel = model();
        RatingBlocks one = RatingBlocks.of(oneModel, EVENTS, BINS, 11, false);
        RatingBlocks two = RatingBlocks.of(twoModel, EVENTS, BINS, 11, true);

        assertArrayEquals(one.start, two.start);
        assertArrayEquals(one.users, two.users);
        assertArrayEquals(one.items, two.items);
        assertArrayEquals(one.labels, two.labels);
        assertArrayEquals(one.weights, two.weights);
        GlobalMean mean = GlobalMean.of(EVENTS);
        assertEquals(mean.sum(), two.labelSum, "label sum, in the events' order as GlobalMean.of");
        assertEquals(mean.count(), two.weightSum);
        for (int r = 0; r < oneModel.items().size(); r++) {
            assertEquals(oneModel.items().id(r), twoModel.items().id(r), "item row " + r);
        }
        for (int r = 0; r < oneModel.users().size(); r++) {
            assertEquals(oneModel.users().id(r), twoModel.users().id(r), "user row " + r);
        }
    }

    @Test
    void shouldPutEveryEventOnceInTheBlockOfItsRows() {
        Model model = model();
        RatingBlocks b = RatingBlocks.of(model, EVENTS, BINS, 11, true);

        Map<String, Integer> expected = new HashMap<>();
        for (Rating r : EVENTS) {
            expected.merge(r.user() + "|" + r.item() + "|" + r.label(), 1, Integer::sum);
        }
        Map<String, Integer> found = new HashMap<>();
        int users = model.users().size();
        int items = model.items().size();
        for (int block = 0; block < BINS * BINS; block++) {
            for (int e = b.start[block]; e < b.start[block + 1]; e++) {
                assertEquals(block / BINS, (int) ((long) b.users[e] * BINS / users), "user group of event " + e);
                assertEquals(block % BINS, (int) ((long) b.items[e] * BINS / items), "item group of event " + e);
                String key = model.users().id(b.users[e]) + "|" + model.items().id(b.items[e]) + "|" + b.labels[e];
                found.merge(key, 1, Integer::sum);
            }
        }
        assertEquals(EVENTS.size(), b.start[BINS * BINS]);
        assertEquals(expected, found);
    }
}
