package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The user task's local copy of an item: its own steps are applied once, never twice, across published versions. */
class ItemViewTest {
    private static final float EXACT = 0f;

    @Test
    void shouldReapplyOnlyTheStepsSentAfterThePublishedFlush() {
        ItemView view = new ItemView(1);
        view.add(100, new float[] {1f, 10f});
        view.add(200, new float[] {2f, 20f});
        view.add(300, new float[] {4f, 40f});

        // The item task flushed at 200: the steps sent at 100 and 200 are in the published row, the one at 300 is not.
        float[] published = {0.5f, 0.5f};
        view.rebase(200, published, 0);
        assertArrayEquals(new float[] {4.5f, 40.5f}, published, EXACT);
        assertEquals(1, view.buckets());

        // A later version that includes every step: nothing is added on top of it, and nothing is left to add.
        float[] later = {7f, 70f};
        view.rebase(300, later, 0);
        assertArrayEquals(new float[] {7f, 70f}, later, EXACT);
        assertEquals(0, view.buckets());
        assertArrayEquals(new float[] {0f, 0f}, view.sum, EXACT);
    }

    @Test
    void shouldKeepUnsentStepsAcrossEveryRebaseUntilSentAndThenDateThemBySendTime() {
        ItemView view = new ItemView(1);
        view.addUnsent(new float[] {3f}, 0, new float[] {1f}, 0, 1);
        // No published version can hold a step whose gradient was not sent, however late its flush.
        float[] published = {10f};
        view.rebase(1_000, published, 0);
        assertArrayEquals(new float[] {12f}, published, EXACT);
        view.markSent(2_000);
        float[] before = {10f};
        view.rebase(1_999, before, 0);
        assertArrayEquals(new float[] {12f}, before, EXACT, "flushed before the send: the step is not in it");
        float[] after = {20f};
        view.rebase(2_000, after, 0);
        assertArrayEquals(new float[] {20f}, after, EXACT, "flushed at the send or later: the step is in it");
        assertEquals(0, view.buckets());
        assertArrayEquals(new float[] {0f}, view.sum, EXACT);
    }

    @Test
    void shouldAddEveryStepToARowPublishedBeforeAnyOfThem() {
        ItemView view = new ItemView(1);
        view.add(100, new float[] {1f});
        view.add(101, new float[] {2f});
        float[] old = {10f};
        view.rebase(99, old, 0);
        assertArrayEquals(new float[] {13f}, old, EXACT);
        assertEquals(2, view.buckets(), "kept for the next version");
    }

    @Test
    void shouldForgetTheOldestBucketBeyondItsBound() {
        ItemView view = new ItemView(1);
        for (int t = 0; t < 257; t++) {
            view.add(t, new float[] {1f});
        }
        assertEquals(256, view.buckets());
        assertEquals(1, view.oldestBucketStart(), "the step sent at 0 was dropped");
        float[] row = {0f};
        view.rebase(-1, row, 0);
        assertArrayEquals(new float[] {256f}, row, EXACT);
    }

    @Test
    void shouldSumTheStepsOfABucketAndDropAWholeBucketThatStraddlesTheFlush() {
        ItemView view = new ItemView(5);
        view.add(100, new float[] {1f});
        view.add(102, new float[] {2f});
        view.add(104, new float[] {4f});
        view.add(105, new float[] {8f});
        view.add(109, new float[] {16f});
        view.add(111, new float[] {32f});
        assertEquals(3, view.buckets(), "buckets [100, 105), [105, 110) and [110, 115)");

        float[] before = {0f};
        view.rebase(99, before, 0);
        assertArrayEquals(new float[] {63f}, before, EXACT, "a version older than every step gets them all");

        // Flushed at 106: the bucket from 105 may hold steps the version has (the one at 105), so it is dropped
        // whole; the step at 109 is missing until the next version, never counted twice.
        float[] row = {0f};
        view.rebase(106, row, 0);
        assertArrayEquals(new float[] {32f}, row, EXACT);
        assertEquals(1, view.buckets());
        assertEquals(110, view.oldestBucketStart());
    }

    @Test
    void shouldKeepStepsInOrderAcrossTheRingsGrowthAndWrapAround() {
        ItemView view = new ItemView(1);
        for (int t = 1; t <= 3; t++) {
            view.add(t, new float[] {t});
        }
        float[] row = {0f};
        view.rebase(2, row, 0);
        assertArrayEquals(new float[] {3f}, row, EXACT, "steps 1 and 2 dropped, 3 re-applied");
        for (int t = 4; t <= 10; t++) {
            view.add(t, new float[] {t});
        }
        assertEquals(8, view.buckets());
        assertEquals(3, view.oldestBucketStart());
        row[0] = 0f;
        view.rebase(6, row, 0);
        assertArrayEquals(new float[] {7f + 8f + 9f + 10f}, row, EXACT, "the newest four, in order, after growing");
    }
}
