package io.streamrec.model;

import java.util.Arrays;
import java.util.Set;

/**
 * One thread's exact top-k scan over the item rows of a {@link ModelStore}, with its buffers: the query, the
 * excluded items and the heap. Items are read in blocks of {@link #BLOCK}; once the heap is full and a SIMD
 * {@link ApproxKernel} is present, the 8-bit copy of {@link QuantizedRows} names the few items of each group whose
 * score may beat the worst one kept, and only those are scored in float. Either way the heap gets the same offers
 * in the same order as a scan scoring every item in float, so the results are the same.
 */
final class ItemScan {
    static final int BLOCK = 256;

    private final float[] dots = new float[BLOCK];
    final TopK heap = new TopK();
    private float[] query = new float[0];
    private int[] excluded = new int[16];
    private int excludedCount;

    void query(float[] source, int offset, int k) {
        if (query.length < k) {
            query = new float[k];
        }
        System.arraycopy(source, offset, query, 0, k);
    }

    /** Sorted, distinct indices of {@code ids} held in {@code table}, plus {@code extra} when >= 0. */
    void exclude(FactorTable table, Set<String> ids, int extra) {
        int needed = (ids == null ? 0 : ids.size()) + 1;
        if (excluded.length < needed) {
            excluded = new int[Math.max(needed, excluded.length * 2)];
        }
        int c = 0;
        if (extra >= 0) {
            excluded[c++] = extra;
        }
        if (ids != null) {
            for (String id : ids) {
                int i = table.indexOf(id);
                if (i >= 0) {
                    excluded[c++] = i;
                }
            }
        }
        Arrays.sort(excluded, 0, c);
        int distinct = 0;
        for (int j = 0; j < c; j++) {
            if (distinct == 0 || excluded[distinct - 1] != excluded[j]) {
                excluded[distinct++] = excluded[j];
            }
        }
        excludedCount = distinct;
    }

    /**
     * Offers every item not excluded to the heap. Key = {@code (base + b_i) + dot} for recommendations
     * ({@code norms == null}), {@code dot / (queryNorm * norm_i)} for cosine.
     */
    void scan(
            FactorTable items,
            int dim,
            ApproxKernel kernel,
            double base,
            boolean withDot,
            double[] norms,
            double queryNorm) {
        int n = items.size();
        float[] bias = items.biasArray();
        float[] m = items.factorArray();
        float[] q = query;
        int[] excluded = this.excluded;
        int next = 0;
        QuantizedRows quantized = items.quantized();
        float boundNorm = kernel != null && withDot && norms == null ? QuantizedRows.queryNorm(q, dim) : Float.NaN;
        boolean twoStage = !Float.isNaN(boundNorm);
        for (int start = 0; start < n; start += BLOCK) {
            int end = Math.min(n, start + BLOCK);
            if (twoStage && heap.full()) {
                next = pruneBlock(items, dim, kernel, base, quantized, boundNorm, start, end, next);
                continue;
            }
            if (withDot) {
                blockDots(q, m, dim, start, end, dots);
            }
            for (int i = start; i < end; i++) {
                if (next < excludedCount && excluded[next] == i) {
                    next++;
                    continue;
                }
                double key;
                if (norms != null) {
                    double denominator = queryNorm * norms[i];
                    key = denominator == 0.0 ? 0.0 : dots[i - start] / denominator;
                } else if (withDot) {
                    key = (base + bias[i]) + dots[i - start];
                } else {
                    key = base + bias[i];
                }
                // Items come in index order, so one that only ties the worst kept item ranks below it.
                if (heap.full() && key <= heap.worstKey()) {
                    continue;
                }
                heap.offer(key, i);
            }
        }
    }

    /**
     * The recommendation scan of one block once the heap is full: the kernel names the items of each group whose
     * upper bound reaches the worst kept key, and only those are scored in float. Returns the next exclusion.
     */
    private int pruneBlock(
            FactorTable items,
            int dim,
            ApproxKernel kernel,
            double base,
            QuantizedRows quantized,
            float queryNorm,
            int start,
            int end,
            int next) {
        float[] bias = items.biasArray();
        float[] m = items.factorArray();
        for (int first = start; first < end; first += QuantizedRows.GROUP) {
            long bits = kernel.candidates(query, dim, quantized, bias, base, queryNorm, heap.worstKey(), first, dots);
            while (bits != 0) {
                int i = first + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (i >= end) {
                    break;
                }
                while (next < excludedCount && excluded[next] < i) {
                    next++;
                }
                if (next < excludedCount && excluded[next] == i) {
                    continue;
                }
                double key = (base + bias[i]) + dot(query, 0, m, i * dim, dim);
                if (key <= heap.worstKey()) {
                    continue;
                }
                heap.offer(key, i);
            }
        }
        while (next < excludedCount && excluded[next] < end) {
            next++;
        }
        return next;
    }

    /**
     * {@code dots[i - start] = dot(q, item i)} for a block. Four items at a time, each accumulated in its own
     * float in factor order, so every result is bitwise the plain loop's; the four independent chains let the
     * CPU overlap the additions (about 2x faster than one item at a time here).
     */
    private static void blockDots(float[] q, float[] m, int dim, int start, int end, float[] dots) {
        int i = start;
        for (; i + 3 < end; i += 4) {
            int o0 = i * dim;
            int o1 = o0 + dim;
            int o2 = o1 + dim;
            int o3 = o2 + dim;
            float a0 = 0f;
            float a1 = 0f;
            float a2 = 0f;
            float a3 = 0f;
            for (int f = 0; f < dim; f++) {
                float x = q[f];
                a0 += x * m[o0 + f];
                a1 += x * m[o1 + f];
                a2 += x * m[o2 + f];
                a3 += x * m[o3 + f];
            }
            int j = i - start;
            dots[j] = a0;
            dots[j + 1] = a1;
            dots[j + 2] = a2;
            dots[j + 3] = a3;
        }
        for (; i < end; i++) {
            dots[i - start] = dot(q, 0, m, i * dim, dim);
        }
    }

    /** Plain float dot product, the order every score uses. */
    static float dot(float[] a, int ao, float[] b, int bo, int k) {
        float acc = 0f;
        for (int f = 0; f < k; f++) {
            acc += a[ao + f] * b[bo + f];
        }
        return acc;
    }
}
