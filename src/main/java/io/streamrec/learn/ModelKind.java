package io.streamrec.learn;

import java.util.Locale;

/**
 * The two matrix-factorization models streamrec trains. Both score an event as
 * {@code offset + b_u + b_i + p_u . q_i}; they differ in the loss and the link.
 */
public enum ModelKind {
    /**
     * Biased matrix factorization for explicit ratings (Koren, Bell and Volinsky, 2009): the offset is the global
     * mean rating, squared loss, and predictions are clamped to the label range.
     */
    BIASED_MF("biased-mf", Loss.SQUARED),
    /**
     * Logistic matrix factorization for 0/1 labels such as clicks (Johnson, 2014): the offset is the logit of the
     * global click rate, logistic loss, and the prediction is a probability.
     */
    LOGISTIC_MF("logistic-mf", Loss.LOGISTIC);

    private final String id;
    private final Loss loss;

    ModelKind(String id, Loss loss) {
        this.id = id;
        this.loss = loss;
    }

    /** The name used on the command line, in snapshots and in the {@code meta} record. */
    public String id() {
        return id;
    }

    public Loss loss() {
        return loss;
    }

    /** The score offset for a global label mean: the mean itself, or its logit. */
    public double offset(double globalMean) {
        return this == BIASED_MF ? globalMean : Loss.logit(globalMean);
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
}
