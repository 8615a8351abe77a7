package io.streamrec.learn;

import io.streamrec.model.ModelKind;

/**
 * A pointwise loss on the model's raw score (the linear predictor, before any link function).
 *
 * <p>As in Tribuo's {@code lossAndGradient}, the loss knows nothing of the parameters: it maps a label and a
 * score to a loss value and to the derivative of that loss with respect to the score. The chain rule down to the
 * factor rows is the model's job.
 */
public interface Loss {

    /** The loss of {@code score} for an event labeled {@code label}. */
    double loss(double label, double score);

    /** The derivative of {@link #loss} with respect to the score (a true gradient: descending it lowers the loss). */
    double gradient(double label, double score);

    /** Maps a raw score to the prediction users see (identity for ratings, the sigmoid for click probabilities). */
    double link(double score);

    /** Half squared error, for explicit ratings: {@code 0.5 (s - y)^2}, gradient {@code s - y}. */
    Loss SQUARED = new Loss() {
        @Override
        public double loss(double label, double score) {
            double e = score - label;
            return 0.5 * e * e;
        }

        @Override
        public double gradient(double label, double score) {
            return score - label;
        }

        @Override
        public double link(double score) {
            return score;
        }

        @Override
        public String toString() {
            return "squared";
        }
    };

    /**
     * Logistic loss for 0/1 labels: {@code log(1 + e^s) - y s}, gradient {@code sigmoid(s) - y}. Computed in the
     * numerically stable form so that large scores neither overflow nor lose precision.
     */
    Loss LOGISTIC = new Loss() {
        @Override
        public double loss(double label, double score) {
            // log(1 + e^s) = max(s, 0) + log1p(e^-|s|)
            return Math.max(score, 0) + Math.log1p(Math.exp(-Math.abs(score))) - label * score;
        }

        @Override
        public double gradient(double label, double score) {
            return sigmoid(score) - label;
        }

        @Override
        public double link(double score) {
            return sigmoid(score);
        }

        @Override
        public String toString() {
            return "logistic";
        }
    };

    /**
     * The pointwise loss each model trains with: squared for {@link ModelKind#BIASED_MF}, logistic for
     * {@link ModelKind#LOGISTIC_MF} and {@link ModelKind#IMPLICIT_LOGISTIC}. BPR's loss is pairwise and popularity
     * counts: {@link ImplicitLearner} trains both; {@link FismLearner} trains fism.
     *
     * @throws IllegalArgumentException for a kind without a pointwise loss
     */
    static Loss of(ModelKind kind) {
        return switch (kind) {
            case BIASED_MF -> SQUARED;
            case LOGISTIC_MF, IMPLICIT_LOGISTIC -> LOGISTIC;
            case BPR, POPULARITY ->
                throw new IllegalArgumentException(kind.id() + " has no pointwise loss; ImplicitLearner trains it");
            case FISM -> throw new IllegalArgumentException("fism has no pointwise loss; FismLearner trains it");
        };
    }

    /** The logistic function, stable for large |x| (the link of {@link ModelKind#LOGISTIC_MF}). */
    static double sigmoid(double x) {
        return ModelKind.sigmoid(x);
    }

    /** The inverse of the sigmoid, with {@code p} clamped away from 0 and 1. */
    static double logit(double p) {
        return ModelKind.logit(p);
    }
}
