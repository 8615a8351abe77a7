package io.streamrec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An endless, reproducible stream of ratings drawn from a known biased matrix-factorization model, so tests can
 * check that a learner recovers a planted answer and benchmarks can run at any size without a download.
 *
 * <p>The planted model is the biased MF of Koren, Bell and Volinsky (2009):
 * {@code score(u,i) = mu + b_u + b_i + p_u . q_i}. {@link LabelKind#EXPLICIT} labels are
 * {@code clip(score + N(0, noise^2), 1, 5)} (continuous); {@link LabelKind#BINARY} labels are 0/1 clicks drawn
 * from {@code Bernoulli(sigmoid(score))}, where {@code score} is then a logit. Users are drawn uniformly; items
 * follow a Zipf law with exponent {@code zipf} (item {@code i0} is the most popular, {@code i1} next, ...), as
 * real catalogues are dominated by a head of popular items. The same user-item pair can occur more than once.
 *
 * <p>User ids are {@code u0..u(U-1)}, item ids {@code i0..i(I-1)}, so mixing up users and items shows. Event
 * timestamps start at {@code startMillis} and grow by {@code stepMillis}. Everything (parameters and event
 * sequence) is a function of the seed; each {@link #iterator()} starts the same sequence afresh.
 */
public final class SyntheticRatings implements Iterable<Rating> {

    /** What the labels mean. */
    public enum LabelKind {
        /** Star ratings in [1, 5]. */
        EXPLICIT,
        /** Implicit 0/1 feedback. */
        BINARY
    }

    /** Lowest explicit label. */
    public static final float MIN_LABEL = 1f;
    /** Highest explicit label. */
    public static final float MAX_LABEL = 5f;

    private final Spec spec;
    private final double globalBias;
    private final double[] userBias;
    private final double[] itemBias;
    private final double[][] userFactors;
    private final double[][] itemFactors;
    private final double[] itemCdf;

    /**
     * Settings of the generator.
     *
     * @param users       number of users, &gt;= 1
     * @param items       number of items, &gt;= 1
     * @param rank        number of latent factors, &gt;= 1
     * @param noise       standard deviation of the Gaussian noise on explicit labels, &gt;= 0 (unused for binary)
     * @param seed        seed of every random draw
     * @param kind        explicit ratings or binary clicks
     * @param zipf        Zipf exponent of item popularity, &gt;= 0 (0 = uniform)
     * @param startMillis timestamp of the first event, epoch ms
     * @param stepMillis  gap between consecutive events, &gt;= 1 ms
     */
    public record Spec(
            int users,
            int items,
            int rank,
            double noise,
            long seed,
            LabelKind kind,
            double zipf,
            long startMillis,
            long stepMillis) {

        public Spec {
            if (users < 1 || items < 1 || rank < 1) {
                throw new IllegalArgumentException(
                        "users, items and rank must be >= 1, got users=" + users + " items=" + items + " rank=" + rank);
            }
            if (!(noise >= 0) || !Double.isFinite(noise)) {
                throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
            }
            if (kind == null) {
                throw new IllegalArgumentException("label kind must be given, got null");
            }
            if (!(zipf >= 0) || !Double.isFinite(zipf)) {
                throw new IllegalArgumentException("zipf exponent must be finite and >= 0, got " + zipf);
            }
            if (stepMillis < 1) {
                throw new IllegalArgumentException("step between events must be >= 1 ms, got " + stepMillis);
            }
        }

        /**
         * Explicit ratings with defaults that look like MovieLens: noise 0.5, Zipf exponent 1, events one second
         * apart from 2024-01-01T00:00Z.
         */
        public static Spec explicit(int users, int items, int rank, long seed) {
            return new Spec(users, items, rank, 0.5, seed, LabelKind.EXPLICIT, 1.0, 1_704_067_200_000L, 1000L);
        }

        /** Binary clicks, otherwise as {@link #explicit}. */
        public static Spec binary(int users, int items, int rank, long seed) {
            return new Spec(users, items, rank, 0.0, seed, LabelKind.BINARY, 1.0, 1_704_067_200_000L, 1000L);
        }

        public Spec withNoise(double newNoise) {
            return new Spec(users, items, rank, newNoise, seed, kind, zipf, startMillis, stepMillis);
        }

        public Spec withZipf(double newZipf) {
            return new Spec(users, items, rank, noise, seed, kind, newZipf, startMillis, stepMillis);
        }

        public Spec withTime(long newStartMillis, long newStepMillis) {
            return new Spec(users, items, rank, noise, seed, kind, zipf, newStartMillis, newStepMillis);
        }
    }

    public SyntheticRatings(Spec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must be given, got null");
        }
        this.spec = spec;
        SplittableRandom rnd = new SplittableRandom(spec.seed());
        // Scales chosen so that biases and the interaction term each move an explicit score by about +-0.5..0.8,
        // roughly the spread seen on MovieLens, and that binary click rates land between about 5% and 60%.
        boolean explicit = spec.kind() == LabelKind.EXPLICIT;
        this.globalBias = explicit ? 3.5 : -1.0;
        double userBiasSd = explicit ? 0.3 : 0.5;
        double itemBiasSd = explicit ? 0.4 : 0.5;
        double interactionSd = explicit ? 0.6 : 1.0;
        // p.q is a sum of rank products of two N(0, s^2) draws: sd = s^2 sqrt(rank).
        double factorSd = Math.sqrt(interactionSd / Math.sqrt(spec.rank()));
        this.userBias = gaussians(rnd, spec.users(), userBiasSd);
        this.itemBias = gaussians(rnd, spec.items(), itemBiasSd);
        this.userFactors = new double[spec.users()][];
        for (int u = 0; u < spec.users(); u++) {
            userFactors[u] = gaussians(rnd, spec.rank(), factorSd);
        }
        this.itemFactors = new double[spec.items()][];
        for (int i = 0; i < spec.items(); i++) {
            itemFactors[i] = gaussians(rnd, spec.rank(), factorSd);
        }
        this.itemCdf = new double[spec.items()];
        double total = 0;
        for (int i = 0; i < spec.items(); i++) {
            total += Math.pow(i + 1, -spec.zipf());
            itemCdf[i] = total;
        }
        for (int i = 0; i < spec.items(); i++) {
            itemCdf[i] /= total;
        }
    }

    private static double[] gaussians(SplittableRandom rnd, int n, double sd) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = sd * rnd.nextGaussian();
        }
        return v;
    }

    public Spec spec() {
        return spec;
    }

    /** The id of user index {@code u}: {@code "u" + u}. */
    public static String userId(int u) {
        return "u" + u;
    }

    /** The id of item index {@code i}: {@code "i" + i}. */
    public static String itemId(int i) {
        return "i" + i;
    }

    /** The planted global offset {@code mu}. */
    public double globalBias() {
        return globalBias;
    }

    /** The planted bias of user index {@code u}. */
    public double userBias(int u) {
        return userBias[u];
    }

    /** The planted bias of item index {@code i}. */
    public double itemBias(int i) {
        return itemBias[i];
    }

    /** A copy of the planted factors of user index {@code u}. */
    public double[] userFactors(int u) {
        return userFactors[u].clone();
    }

    /** A copy of the planted factors of item index {@code i}. */
    public double[] itemFactors(int i) {
        return itemFactors[i].clone();
    }

    /** The noise-free planted score {@code mu + b_u + b_i + p_u . q_i} (unclipped; a logit for binary labels). */
    public double trueScore(int u, int i) {
        double s = globalBias + userBias[u] + itemBias[i];
        double[] p = userFactors[u];
        double[] q = itemFactors[i];
        for (int k = 0; k < p.length; k++) {
            s += p[k] * q[k];
        }
        return s;
    }

    /**
     * {@link #trueScore(int, int)} by id.
     *
     * @throws IllegalArgumentException when the ids are not ids of this generator
     */
    public double trueScore(String user, String item) {
        return trueScore(index(user, 'u', spec.users()), index(item, 'i', spec.items()));
    }

    /**
     * The expected label under the planted model: the clipped score for explicit labels (ignoring the small shift
     * clipping adds to noisy scores near the bounds), the click probability for binary ones. The best any learner
     * can predict.
     */
    public double expectedLabel(int u, int i) {
        double s = trueScore(u, i);
        return spec.kind() == LabelKind.EXPLICIT ? Math.min(MAX_LABEL, Math.max(MIN_LABEL, s)) : sigmoid(s);
    }

    /** The probability that an event is about item index {@code i}. */
    public double itemProbability(int i) {
        return i == 0 ? itemCdf[0] : itemCdf[i] - itemCdf[i - 1];
    }

    private static int index(String id, char prefix, int size) {
        if (id == null || id.length() < 2 || id.charAt(0) != prefix) {
            throw new IllegalArgumentException(
                    "expected an id like " + prefix + "0.." + prefix + (size - 1) + ", got " + id);
        }
        int n;
        try {
            n = Integer.parseInt(id.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "expected an id like " + prefix + "0.." + prefix + (size - 1) + ", got " + id);
        }
        if (n < 0 || n >= size) {
            throw new IllegalArgumentException("id " + id + " is out of range " + prefix + "0.." + prefix + (size - 1));
        }
        return n;
    }

    private static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** The first {@code n} events of the stream. */
    public List<Rating> take(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + n);
        }
        List<Rating> out = new ArrayList<>(n);
        Iterator<Rating> it = iterator();
        for (int k = 0; k < n; k++) {
            out.add(it.next());
        }
        return out;
    }

    /** An endless iterator over the events, starting from the first one of this seed. */
    @Override
    public Iterator<Rating> iterator() {
        // A stream of its own, so drawing events never depends on how many parameters were drawn.
        SplittableRandom rnd = new SplittableRandom(spec.seed() ^ 0x9E3779B97F4A7C15L);
        return new Iterator<>() {
            private long index;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Rating next() {
                int u = rnd.nextInt(spec.users());
                int i = sampleItem(rnd.nextDouble());
                double s = trueScore(u, i);
                float label;
                if (spec.kind() == LabelKind.EXPLICIT) {
                    double noisy = s + spec.noise() * rnd.nextGaussian();
                    label = (float) Math.min(MAX_LABEL, Math.max(MIN_LABEL, noisy));
                } else {
                    label = rnd.nextDouble() < sigmoid(s) ? 1f : 0f;
                }
                long t = spec.startMillis() + index * spec.stepMillis();
                index++;
                return new Rating(userId(u), itemId(i), label, t, 1f);
            }
        };
    }

    private int sampleItem(double x) {
        int at = Arrays.binarySearch(itemCdf, x);
        int i = at >= 0 ? at : -at - 1;
        return Math.min(i, itemCdf.length - 1);
    }
}
