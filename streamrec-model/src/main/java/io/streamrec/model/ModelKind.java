package io.streamrec.model;

import java.util.Locale;

/**
 * The models streamrec trains. All score an event as {@code offset + b_u + b_i + p_u . q_i}; they differ in the
 * loss, the link and the offset. The positives-only kinds ({@link #positivesOnly()}) learn from streams without
 * negative labels (views, plays, purchases) and are judged by ranking: their offset is 0.
 *
 * <p>The link and the offset live here, with the contract, because the client scores with them; the losses
 * and their gradients are the learner's ({@code io.streamrec.learn.Loss#of(ModelKind)}).
 */
public enum ModelKind {
    /**
     * Biased matrix factorization for explicit ratings (Koren, Bell and Volinsky, 2009): the offset is the global
     * mean rating, squared loss, and predictions are clamped to the label range.
     */
    BIASED_MF("biased-mf"),
    /**
     * Logistic matrix factorization for 0/1 labels such as clicks (Johnson, 2014): the offset is the logit of the
     * global click rate, logistic loss, and the prediction is a probability.
     */
    LOGISTIC_MF("logistic-mf"),
    /**
     * Bayesian personalized ranking (Rendle, Freudenthaler, Gantner and Schmidt-Thieme, 2009) with item biases:
     * every event is a positive, each paired with sampled negative items; the score only orders items for a user.
     */
    BPR("bpr"),
    /**
     * Logistic matrix factorization on positives only: every event is a positive (label 1) and sampled items the
     * user did not pick are negatives (label 0), as in negative sampling (Mikolov et al. 2013; He et al. 2017).
     */
    IMPLICIT_LOGISTIC("implicit-logistic"),
    /**
     * The factored item similarity model (Kabbur, Ning and Karypis, 2013) with its pairwise loss: the user row is
     * built from the user's items ({@code |N_u|^-alpha} times the sum of their context vectors), so a served row
     * scores like any other; positives only, with sampled negatives.
     */
    FISM("fism"),
    /**
     * The popularity baseline: the item bias counts the item's events (weighted), factors stay 0, so a user's
     * top-k is the most popular items they have not seen yet.
     */
    POPULARITY("popularity");

    private final String id;

    ModelKind(String id) {
        this.id = id;
    }

    /** The name used on the command line, in snapshots and in the {@code meta} record. */
    public String id() {
        return id;
    }

    /** The score offset for a global label mean: the mean itself (ratings), its logit (clicks), or 0 (positives only). */
    public double offset(double globalMean) {
        return switch (this) {
            case BIASED_MF -> globalMean;
            case LOGISTIC_MF -> logit(globalMean);
            case BPR, IMPLICIT_LOGISTIC, FISM, POPULARITY -> 0;
        };
    }

    /**
     * Maps a raw score to the prediction users see: the sigmoid for probabilities (logistic kinds), the score itself
     * otherwise (a rating, a ranking score, an event count).
     */
    public double link(double score) {
        return this == LOGISTIC_MF || this == IMPLICIT_LOGISTIC ? sigmoid(score) : score;
    }

    /** True for the models that learn from positive events only and sample their negatives. */
    public boolean positivesOnly() {
        return this == BPR || this == IMPLICIT_LOGISTIC || this == FISM || this == POPULARITY;
    }

    /** True when the model's labels are 0/1: a label range other than [0, 1] cannot be right. */
    public boolean binaryLabels() {
        return this != BIASED_MF;
    }

    /** Every id, for messages. */
    public static String ids() {
        StringBuilder b = new StringBuilder();
        for (ModelKind m : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(m.id);
        }
        return b.toString();
    }

    public static ModelKind parse(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (ModelKind m : values()) {
            if (m.id.equals(k) || m.name().toLowerCase(Locale.ROOT).equals(k)) {
                return m;
            }
        }
        if (k.equals("biased") || k.equals("mf")) {
            return BIASED_MF;
        }
        if (k.equals("logistic")) {
            return LOGISTIC_MF;
        }
        throw new IllegalArgumentException("model must be one of " + ids() + "; got \"" + s + "\"");
    }

    /** The logistic function, stable for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** The inverse of the sigmoid, with {@code p} clamped away from 0 and 1. */
    public static double logit(double p) {
        double q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
        return Math.log(q / (1 - q));
    }
}
