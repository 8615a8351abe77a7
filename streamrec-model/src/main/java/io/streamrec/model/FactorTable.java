package io.streamrec.model;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The rows of one kind, packed for scanning: an id-to-index map, the biases in a {@code float[]} and the
 * factors in one row-major {@code float[]} of {@code capacity * k} (row {@code i} at {@code i * k}).
 * Arrays grow by doubling. A removal moves the last row into the hole, so indices are only stable while
 * the caller holds the store's lock. Optionally keeps an 8-bit copy of the factors ({@link QuantizedRows}) for
 * the first stage of the top-k scan. Not thread-safe: {@link ModelStore} guards it.
 */
final class FactorTable {
    private final RowKind kind;
    private final boolean keepNorms;
    private final HashMap<String, Integer> index = new HashMap<>();
    private int k;
    private int size;
    private String[] ids = new String[0];
    private float[] bias = new float[0];
    private float[] factors = new float[0];
    private long[] versions = new long[0];
    private double[] norms = new double[0];
    private final QuantizedRows quantized;

    FactorTable(RowKind kind, boolean keepNorms, boolean quantize) {
        this.kind = kind;
        this.keepNorms = keepNorms;
        this.quantized = quantize ? new QuantizedRows() : null;
    }

    int size() {
        return size;
    }

    /** Index of {@code id}, or -1. */
    int indexOf(String id) {
        Integer i = index.get(id);
        return i == null ? -1 : i;
    }

    String id(int i) {
        return ids[i];
    }

    float[] biasArray() {
        return bias;
    }

    float[] factorArray() {
        return factors;
    }

    double[] normArray() {
        return norms;
    }

    /** The 8-bit copy, or null when the table keeps none. */
    QuantizedRows quantized() {
        return quantized;
    }

    long version(int i) {
        return versions[i];
    }

    /** Sets the factor count; only while the table is empty. */
    void dimension(int k) {
        if (size != 0 && k != this.k) {
            throw new IllegalStateException(
                    "cannot change factor count from " + this.k + " to " + k + " with rows held");
        }
        if (k != this.k) {
            this.k = k;
            factors = new float[ids.length * k];
            if (quantized != null) {
                quantized.reset(k);
                quantized.ensureCapacity(ids.length);
            }
        }
    }

    /** Inserts or replaces the row; returns the change. The caller checked the factor count. */
    RowChange upsert(ModelRow row) {
        float[] x = row.factors();
        Integer existing = index.get(row.id());
        int i;
        long old;
        if (existing == null) {
            if (size == ids.length) {
                grow();
            }
            i = size++;
            index.put(row.id(), i);
            ids[i] = row.id();
            old = RowChange.ABSENT;
        } else {
            i = existing;
            old = versions[i];
        }
        bias[i] = row.bias();
        System.arraycopy(x, 0, factors, i * k, k);
        versions[i] = row.version();
        if (keepNorms) {
            norms[i] = norm(x, 0, k);
        }
        if (quantized != null) {
            quantized.set(i, factors, i * k);
        }
        return new RowChange(kind, row.id(), old, row.version());
    }

    /** Removes the row if held; returns the change or null. */
    RowChange remove(String id) {
        Integer boxed = index.remove(id);
        if (boxed == null) {
            return null;
        }
        int i = boxed;
        long old = versions[i];
        int last = --size;
        if (i != last) {
            ids[i] = ids[last];
            bias[i] = bias[last];
            System.arraycopy(factors, last * k, factors, i * k, k);
            versions[i] = versions[last];
            norms[i] = norms[last];
            if (quantized != null) {
                quantized.move(last, i);
            }
            index.put(ids[i], i);
        }
        ids[last] = null;
        return new RowChange(kind, id, old, RowChange.ABSENT);
    }

    private void grow() {
        // Whole groups, so that a kernel may read the biases of a last group past the size.
        int capacity = Math.max(QuantizedRows.GROUP, ids.length * 2);
        if ((long) capacity * Math.max(k, 1) > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many " + kind.prefix() + " rows for one array: " + size);
        }
        ids = Arrays.copyOf(ids, capacity);
        bias = Arrays.copyOf(bias, capacity);
        factors = Arrays.copyOf(factors, capacity * k);
        versions = Arrays.copyOf(versions, capacity);
        norms = Arrays.copyOf(norms, capacity);
        if (quantized != null) {
            quantized.ensureCapacity(capacity);
        }
    }

    /** Euclidean norm of {@code x[offset .. offset + k)}, summed in double. */
    static double norm(float[] x, int offset, int k) {
        double s = 0;
        for (int f = 0; f < k; f++) {
            double v = x[offset + f];
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
