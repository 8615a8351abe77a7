package io.streamrec.eval;

import java.util.Arrays;

/** A set of non-negative ints by open addressing (linear probing): O(1) add and contains, no boxing. */
public final class IntSet {
    private int[] slots = new int[8];
    private int size;

    public IntSet() {
        Arrays.fill(slots, -1);
    }

    public int size() {
        return size;
    }

    public boolean contains(int v) {
        int mask = slots.length - 1;
        for (int s = mix(v) & mask; ; s = (s + 1) & mask) {
            int x = slots[s];
            if (x == v) {
                return true;
            }
            if (x < 0) {
                return false;
            }
        }
    }

    public void add(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("IntSet holds non-negative ints, got " + v);
        }
        if (2 * (size + 1) > slots.length) {
            int[] old = slots;
            slots = new int[old.length * 2];
            Arrays.fill(slots, -1);
            size = 0;
            for (int x : old) {
                if (x >= 0) {
                    insert(x);
                }
            }
        }
        insert(v);
    }

    private void insert(int v) {
        int mask = slots.length - 1;
        int s = mix(v) & mask;
        while (slots[s] >= 0) {
            if (slots[s] == v) {
                return;
            }
            s = (s + 1) & mask;
        }
        slots[s] = v;
        size++;
    }

    private static int mix(int v) {
        int h = v * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
