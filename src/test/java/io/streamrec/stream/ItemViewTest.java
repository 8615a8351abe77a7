package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The user task's local copy of an item: its own steps are applied once, never twice, across published versions. */
class ItemViewTest {
    private static final float EXACT = 0f;

    @Test
    void shouldReapplyOnlyTheStepsSentAfterThePublishedFlush() {
        UserTrainerProcessor.ItemView view = new UserTrainerProcessor.ItemView();
        view.add(100, new float[] {1f, 10f});
        view.add(200, new float[] {2f, 20f});
        view.add(300, new float[] {4f, 40f});

        // The item task flushed at 200: the steps sent at 100 and 200 are in the published row, the one at 300 is not.
        float[] published = {0.5f, 0.5f};
        view.rebase(200, published, 0);
        assertArrayEquals(new float[] {4.5f, 40.5f}, published, EXACT);
        assertEquals(1, view.steps.size());

        // A later version that includes every step: nothing is added on top of it, and nothing is left to add.
        float[] later = {7f, 70f};
        view.rebase(300, later, 0);
        assertArrayEquals(new float[] {7f, 70f}, later, EXACT);
        assertNull(view.sum);
    }

    @Test
    void shouldAddEveryStepToARowPublishedBeforeAnyOfThem() {
        UserTrainerProcessor.ItemView view = new UserTrainerProcessor.ItemView();
        view.add(100, new float[] {1f});
        view.add(101, new float[] {2f});
        float[] old = {10f};
        view.rebase(99, old, 0);
        assertArrayEquals(new float[] {13f}, old, EXACT);
        assertEquals(2, view.steps.size(), "kept for the next version");
    }

    @Test
    void shouldForgetTheOldestStepBeyondItsBound() {
        UserTrainerProcessor.ItemView view = new UserTrainerProcessor.ItemView();
        for (int t = 0; t < 1025; t++) {
            view.add(t, new float[] {1f});
        }
        assertEquals(1024, view.steps.size());
        assertEquals(1, view.steps.peekFirst().sentAt(), "the step sent at 0 was dropped");
        float[] row = {0f};
        view.rebase(-1, row, 0);
        assertArrayEquals(new float[] {1024f}, row, EXACT);
    }
}
