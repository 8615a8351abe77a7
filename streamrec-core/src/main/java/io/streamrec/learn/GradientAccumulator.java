package io.streamrec.learn;

import java.util.Arrays;

/**
 * Sums the gradients of one mini-batch per row, so that each touched row takes exactly one optimizer step per
 * batch. Rows get a slot on first touch; only touched slots are cleared, so a batch costs what it touches, not
 * the size of the table.
 */
public final class GradientAccumulator {
    private final int width;
    private int[] slotOfRow = new int[0];
    private int[] rowOfSlot = new int[64];
    private int[] counts = new int[64];
    private long[] oldest = new long[64];
    private float[] grad;
    private int slots;

    public GradientAccumulator(int width) {
        this.width = width;
        this.grad = new float[64 * width];
    }

    /** The slot of {@code row}, taking a new, zeroed one on first touch in this batch. */
    private int slot(int row) {
        if (row >= slotOfRow.length) {
            int old = slotOfRow.length;
            slotOfRow = Arrays.copyOf(slotOfRow, Math.max(row + 1, old * 2));
            Arrays.fill(slotOfRow, old, slotOfRow.length, -1);
        }
        int s = slotOfRow[row];
        if (s >= 0) {
            return s;
        }
        s = slots++;
        if (s == rowOfSlot.length) {
            rowOfSlot = Arrays.copyOf(rowOfSlot, s * 2);
            counts = Arrays.copyOf(counts, s * 2);
            oldest = Arrays.copyOf(oldest, s * 2);
            grad = Arrays.copyOf(grad, s * 2 * width);
        }
        slotOfRow[row] = s;
        rowOfSlot[s] = row;
        counts[s] = 0;
        oldest[s] = Long.MAX_VALUE;
        Arrays.fill(grad, s * width, (s + 1) * width, 0f);
        return s;
    }

    /**
     * Adds one event's gradient for {@code row}: {@code g} on the bias and {@code g * other[1..width)} on the
     * factors, where {@code other} is the partner row (the item for a user row, the user for an item row).
     */
    public void addEvent(int row, float g, float[] other, int otherOffset, long eventTime) {
        int s = slot(row);
        int base = s * width;
        grad[base] += g;
        for (int f = 1; f < width; f++) {
            grad[base + f] += g * other[otherOffset + f];
        }
        counts[s]++;
        if (eventTime < oldest[s]) {
            oldest[s] = eventTime;
        }
    }

    /** Adds a gradient already summed elsewhere (a message from another task) covering {@code events} events. */
    public void addSum(int row, float[] g, int offset, int events, long eventTime) {
        int s = slot(row);
        int base = s * width;
        for (int f = 0; f < width; f++) {
            grad[base + f] += g[offset + f];
        }
        counts[s] += events;
        if (eventTime < oldest[s]) {
            oldest[s] = eventTime;
        }
    }

    /** Adds every row of {@code other} (same width): its summed gradient, event count and oldest event time. */
    public void addAll(GradientAccumulator other) {
        for (int s = 0; s < other.slots; s++) {
            addSum(other.rowOfSlot[s], other.grad, s * width, other.counts[s], other.oldest[s]);
        }
    }

    /** Rows touched in this batch. */
    public int size() {
        return slots;
    }

    public int row(int slot) {
        return rowOfSlot[slot];
    }

    public int count(int slot) {
        return counts[slot];
    }

    /** The oldest event time among the events summed into {@code slot} (publish latency is measured from it). */
    public long oldestEventTime(int slot) {
        return oldest[slot];
    }

    /** The accumulated gradient array; slot {@code s} starts at {@code s * width}. */
    public float[] gradients() {
        return grad;
    }

    public int width() {
        return width;
    }

    /** Forgets the batch; slots are reused by the next one. */
    public void clear() {
        for (int s = 0; s < slots; s++) {
            slotOfRow[rowOfSlot[s]] = -1;
        }
        slots = 0;
    }
}
