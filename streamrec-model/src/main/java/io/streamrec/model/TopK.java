package io.streamrec.model;

/**
 * Keeps the {@code capacity} best (key, index) pairs offered, in a binary min-heap of primitive arrays whose
 * root is the worst kept pair; {@link #offer} allocates nothing. "Better" means a higher key, then a lower
 * index, so the result does not depend on the order of offers. Reused across queries by one thread.
 */
final class TopK {
    private double[] keys = new double[16];
    private int[] indices = new int[16];
    private int capacity;
    private int size;

    /** Empties the heap and sets how many pairs it keeps. */
    void reset(int capacity) {
        if (keys.length < capacity) {
            keys = new double[capacity];
            indices = new int[capacity];
        }
        this.capacity = capacity;
        this.size = 0;
    }

    int size() {
        return size;
    }

    /** True when the heap keeps as many pairs as it may. */
    boolean full() {
        return size == capacity;
    }

    /** The key of the worst pair kept; only when not empty. */
    double worstKey() {
        return keys[0];
    }

    void offer(double key, int index) {
        if (size < capacity) {
            int j = size++;
            keys[j] = key;
            indices[j] = index;
            siftUp(j);
        } else if (capacity > 0 && worse(keys[0], indices[0], key, index)) {
            keys[0] = key;
            indices[0] = index;
            siftDown(0);
        }
    }

    /**
     * Sorts the kept pairs best first in place (the heap is consumed) and returns their count;
     * read them with {@link #key(int)} and {@link #index(int)}.
     */
    int drainBestFirst() {
        int n = size;
        // Heap sort: repeatedly move the worst pair (the root) behind the shrinking heap.
        for (int end = n - 1; end > 0; end--) {
            swap(0, end);
            size = end;
            siftDown(0);
        }
        size = 0;
        return n;
    }

    double key(int j) {
        return keys[j];
    }

    int index(int j) {
        return indices[j];
    }

    /** True when pair a ranks below pair b. */
    private static boolean worse(double keyA, int indexA, double keyB, int indexB) {
        return keyA < keyB || (keyA == keyB && indexA > indexB);
    }

    private void siftUp(int j) {
        while (j > 0) {
            int parent = (j - 1) >>> 1;
            if (!worse(keys[j], indices[j], keys[parent], indices[parent])) {
                return;
            }
            swap(j, parent);
            j = parent;
        }
    }

    private void siftDown(int j) {
        while (true) {
            int left = 2 * j + 1;
            if (left >= size) {
                return;
            }
            int child = left;
            int right = left + 1;
            if (right < size && worse(keys[right], indices[right], keys[left], indices[left])) {
                child = right;
            }
            if (!worse(keys[child], indices[child], keys[j], indices[j])) {
                return;
            }
            swap(j, child);
            j = child;
        }
    }

    private void swap(int a, int b) {
        double key = keys[a];
        keys[a] = keys[b];
        keys[b] = key;
        int index = indices[a];
        indices[a] = indices[b];
        indices[b] = index;
    }
}
