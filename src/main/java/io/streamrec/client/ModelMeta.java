package io.streamrec.client;

/**
 * The {@code meta} record of {@code model-updates}: model family, factor count and the label statistics
 * the prediction needs. Fields the client does not use ({@code hyper}) are not kept.
 *
 * @param model         the model family
 * @param factors       the number of latent factors per row
 * @param globalMean    mean label of the training data (a rate in {@code [0, 1]} for the logistic model)
 * @param globalCount   number of labels behind {@code globalMean}
 * @param minLabel      lower clamp of biased-mf predictions ({@code -Infinity} when absent)
 * @param maxLabel      upper clamp of biased-mf predictions ({@code +Infinity} when absent)
 * @param initSnapshot  name of the snapshot the trainer started from, or {@code null}
 * @param updatedAt     wall-clock epoch ms of the meta write, 0 when absent
 */
public record ModelMeta(ModelKind model, int factors, double globalMean, long globalCount,
                        double minLabel, double maxLabel, String initSnapshot, long updatedAt) {

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

    /** The additive base of every score: the global mean, or its logit for {@code logistic-mf}. */
    public double scoreBase() {
        return model.base(globalMean);
    }

    /** Maps a raw score (base + biases + dot product) to the model's prediction. */
    public double link(double rawScore) {
        return model.link(rawScore, minLabel, maxLabel);
    }
}
