package io.streamrec.model;

/**
 * The {@code meta} record of {@code model-updates}: model family, factor count and the label statistics
 * the prediction needs. Fields the client does not use ({@code hyper}) are not kept.
 *
 * @param model         the model family
 * @param factors       the number of latent factors per row
 * @param globalMean    mean label the trainer knew when it wrote the record (a rate in {@code [0, 1]} for the
 *                      logistic model); only a fallback: the {@code mean:*} records carry the current sums
 * @param globalCount   number of labels behind {@code globalMean}
 * @param minLabel      lower clamp of biased-mf predictions ({@code -Infinity} when absent)
 * @param maxLabel      upper clamp of biased-mf predictions ({@code +Infinity} when absent)
 * @param initSnapshot  name of the snapshot the trainer started from, or {@code null}
 * @param updatedAt     wall-clock epoch ms of the meta write, 0 when absent
 */
public record ModelMeta(
        ModelKind model,
        int factors,
        double globalMean,
        long globalCount,
        double minLabel,
        double maxLabel,
        String initSnapshot,
        long updatedAt) {

    public ModelMeta {
        if (model == null) {
            throw new IllegalArgumentException("model must be biased-mf or logistic-mf, got null");
        }
        if (factors < 0) {
            throw new IllegalArgumentException("factors must be >= 0, got " + factors);
        }
        if (!Double.isFinite(globalMean)) {
            throw new IllegalArgumentException("globalMean must be finite, got " + globalMean);
        }
        if (Double.isNaN(minLabel) || Double.isNaN(maxLabel) || minLabel > maxLabel) {
            throw new IllegalArgumentException("expected minLabel <= maxLabel, got " + minLabel + " and " + maxLabel);
        }
    }

    /**
     * The additive base of every score for the global mean {@code mean}: the mean itself, or its logit for
     * {@code logistic-mf}; the trainer's {@code ModelKind.offset}. The global mean is normally the one of the
     * {@code mean:*} records ({@link ModelStore#globalMean()}), not this record's {@link #globalMean()}.
     */
    public double scoreBase(double mean) {
        return model.offset(mean);
    }

    /** {@link #scoreBase(double)} of this record's own {@link #globalMean()}. */
    public double scoreBase() {
        return scoreBase(globalMean);
    }

    /**
     * Maps a raw score (base + biases + dot product) to the model's prediction exactly as the trainer's
     * {@code Model.predictScore} does: the loss's link (identity or sigmoid), then clamped to
     * {@code [minLabel, maxLabel]} (not for the positives-only kinds, whose scores only rank).
     */
    public double link(double rawScore) {
        double p = model.link(rawScore);
        // A positives-only model's score orders items; clamping it to the 0/1 label range would erase the order.
        return model.positivesOnly() ? p : Math.min(Math.max(p, minLabel), maxLabel);
    }
}
