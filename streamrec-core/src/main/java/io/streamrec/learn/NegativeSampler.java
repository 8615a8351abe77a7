package io.streamrec.learn;

import java.util.SplittableRandom;

/**
 * Draws negative items for positives-only learning: uniformly among the item rows the learner knows, never the
 * positive item itself.
 *
 * <p>Why uniform over the known items: it is BPR's own bootstrap sampler (Rendle et al. 2009 draw {@code j}
 * uniformly), it needs nothing but the item table the learner already holds (in the stream trainer, the user
 * task's local copy of the items it has seen), so it costs O(1) per draw and no shared counts, and it is what
 * MyMediaLite, LensKit and LightFM do. An item the user did pick before can be drawn as a negative: the chance is
 * the user's share of the catalogue (under 2% for a median MovieLens user), and ruling it out would need each
 * user's history on the user task. Seeded, so a run is repeatable.
 */
public final class NegativeSampler {
    private static final int TRIES = 8;
    private final SplittableRandom random;

    public NegativeSampler(long seed) {
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    /**
     * An item row in {@code [0, known)} other than {@code positive}, or -1 when there is none ({@code known} < 2).
     */
    public int draw(int known, int positive) {
        if (known < 2) {
            return -1;
        }
        for (int t = 0; t < TRIES; t++) {
            int j = random.nextInt(known);
            if (j != positive) {
                return j;
            }
        }
        // Only reachable for tiny catalogues: take the next row, which is never the positive.
        return (positive + 1) % known;
    }
}
