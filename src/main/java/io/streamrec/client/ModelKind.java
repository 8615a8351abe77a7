package io.streamrec.client;

/**
 * The model families the trainer publishes, with their prediction link.
 *
 * <p>Both score {@code s = base + b_u + b_i + p_u . q_i}; they differ in the base and the link:
 * <ul>
 *   <li>{@code biased-mf} (Koren, Bell and Volinsky 2009): base = global mean, prediction =
 *       {@code clamp(s, minLabel, maxLabel)}.</li>
 *   <li>{@code logistic-mf} (Johnson 2014): base = {@code logit(globalMean)} with the mean first clamped to
 *       {@code [1e-6, 1 - 1e-6]}, prediction = {@code sigmoid(s)}, a probability.</li>
 * </ul>
 * Both links are monotonic, so ranking by {@code s} ranks by prediction.
 */
public enum ModelKind {
    BIASED_MF("biased-mf"),
    LOGISTIC_MF("logistic-mf");

    /** The global mean of a logistic model is clamped to {@code [EPS, 1 - EPS]} before the logit. */
    public static final double LOGIT_EPS = 1e-6;

    private final String wireName;

    ModelKind(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the meta record's {@code model} field. */
    public String wireName() {
        return wireName;
    }

    /** Returns the kind named {@code name} in the meta record, or {@code null} for an unknown name. */
    public static ModelKind fromWireName(String name) {
        for (ModelKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        return null;
    }

    /** The additive base of the score: the global mean, or its logit for the logistic model. */
    double base(double globalMean) {
        if (this == BIASED_MF) {
            return globalMean;
        }
        double p = Math.min(Math.max(globalMean, LOGIT_EPS), 1.0 - LOGIT_EPS);
        return Math.log(p / (1.0 - p));
    }

    /** Maps a raw score {@code s} to a prediction. */
    double link(double score, double minLabel, double maxLabel) {
        if (this == BIASED_MF) {
            return Math.min(Math.max(score, minLabel), maxLabel);
        }
        return 1.0 / (1.0 + Math.exp(-score));
    }
}
