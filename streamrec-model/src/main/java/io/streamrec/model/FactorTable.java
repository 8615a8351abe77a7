package io.streamrec.model;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The rows of one kind, packed for scanning: an id-to-index map, the biases in a {@code float[]} and the
 * factors in one {@code float[]} of {@code capacity * k}, either row-major (row {@code i} at {@code i * k}) or,
 * for the items that top-k scans, in column blocks: the rows {@code [b * BLOCK, (b + 1) * BLOCK)} form block
 * {@code b}, which stores factor {@code f} of its rows side by side, so factor {@code f} of row {@code i} is at
 * {@code (i / BLOCK) * BLOCK * k + f * BLOCK + i % BLOCK}. Scoring a block then runs, for each factor, one long
 * loop over the block's rows with the same index into both arrays, which the JIT turns into vector code; each
 * row's sum still takes its products in factor order, so every score is bitwise the plain loop's.
 * Arrays grow by doubling (in whole blocks). A removal moves the last row into the hole, so indices are only
 * stable while the caller holds the store's lock. Not thread-safe: {@link ModelStore} guards it.
 */
final class FactorTable {
    /** Rows per column block. */
    static final int BLOCK = ModelStore.BLOCK;

    private final RowKind kind;
    private final boolean keepNorms;
    private final boolean columns;
    private final HashMap<String, Integer> index = new HashMap<>();
    private int k;
    private int size;
    private String[] ids = new String[0];
    private float[] bias = new float[0];
    private float[] factors = new float[0];
    private long[] versions = new long[0];
    private double[] norms = new double[0];

    /** Columns and norms are kept for the items, which top-k and similar-items scan. */
    FactorTable(RowKind kind, boolean scanned) {
        this.kind = kind;
        this.keepNorms = scanned;
        this.columns = scanned;
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

    /** The row-major factors; only for a table without column blocks. */
    float[] factorArray() {
        if (columns) {
            throw new IllegalStateException("the " + kind.prefix() + " factors are stored in column blocks");
        }
        return factors;
    }

    /** Where factor {@code f} of row {@code i} is. */
    private int at(int i, int f) {
        return columns ? (i / BLOCK) * BLOCK * k + f * BLOCK + i % BLOCK : i * k + f;
    }

    /** Copies row {@code i}'s factors to {@code dest[destOffset ..]}. */
    void copyFactors(int i, float[] dest, int destOffset) {
        if (!columns) {
            System.arraycopy(factors, i * k, dest, destOffset, k);
            return;
        }
        int base = (i / BLOCK) * BLOCK * k + i % BLOCK;
        for (int f = 0; f < k; f++) {
            dest[destOffset + f] = factors[base + f * BLOCK];
        }
    }

    /** The plain float dot product of {@code q[qo .. qo + k)} with row {@code i}, in factor order. */
    float dot(float[] q, int qo, int i) {
        float acc = 0f;
        for (int f = 0; f < k; f++) {
            acc += q[qo + f] * factors[at(i, f)];
        }
        return acc;
    }

    /**
     * {@code out[j] = dot(q, row b * BLOCK + j)} for every slot of block {@code b} (slots past the last row get
     * a meaningless value). Needs column blocks.
     */
    void blockDots(float[] q, int b, float[] out) {
        float[] m = factors;
        int base = b * BLOCK * k;
        java.util.Arrays.fill(out, 0, BLOCK, 0f);
        for (int f = 0; f < k; f++) {
            float x = q[f];
            int o = base + f * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[j] += x * m[o + j];
            }
        }
    }

    double[] normArray() {
        return norms;
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
        setFactors(i, x);
        versions[i] = row.version();
        if (keepNorms) {
            norms[i] = norm(x);
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
            for (int f = 0; f < k; f++) {
                factors[at(i, f)] = factors[at(last, f)];
            }
            versions[i] = versions[last];
            norms[i] = norms[last];
            index.put(ids[i], i);
        }
        ids[last] = null;
        return new RowChange(kind, id, old, RowChange.ABSENT);
    }

    private void setFactors(int i, float[] x) {
        if (!columns) {
            System.arraycopy(x, 0, factors, i * k, k);
            return;
        }
        for (int f = 0; f < k; f++) {
            factors[at(i, f)] = x[f];
        }
    }

    private void grow() {
        // Whole blocks, so that growing keeps every block where it was.
        int capacity = Math.max(BLOCK, ids.length * 2);
        if ((long) capacity * Math.max(k, 1) > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many " + kind.prefix() + " rows for one array: " + size);
        }
        ids = Arrays.copyOf(ids, capacity);
        bias = Arrays.copyOf(bias, capacity);
        factors = Arrays.copyOf(factors, capacity * k);
        versions = Arrays.copyOf(versions, capacity);
        norms = Arrays.copyOf(norms, capacity);
    }

    /** Euclidean norm, summed in double. */
    static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
