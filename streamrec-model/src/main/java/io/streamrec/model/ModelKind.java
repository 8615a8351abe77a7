package io.streamrec.model;

import java.util.Locale;

/**
 * The two matrix-factorization models streamrec trains. Both score an event as
 * {@code offset + b_u + b_i + p_u . q_i}; they differ in the loss and the link.
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
    LOGISTIC_MF("logistic-mf");

    private final String id;

    ModelKind(String id) {
        this.id = id;
    }

    /** The name used on the command line, in snapshots and in the {@code meta} record. */
    public String id() {
        return id;
    }

    /** The score offset for a global label mean: the mean itself, or its logit. */
    public double offset(double globalMean) {
        return this == BIASED_MF ? globalMean : logit(globalMean);
    }

    /** Maps a raw score to the prediction users see: identity for ratings, the sigmoid for click probabilities. */
    public double link(double score) {
        return this == BIASED_MF ? score : sigmoid(score);
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
        throw new IllegalArgumentException("model must be one of biased-mf, logistic-mf; got \"" + s + "\"");
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
