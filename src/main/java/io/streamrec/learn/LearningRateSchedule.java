package io.streamrec.learn;

/** The learning rate as a function of the number of events the model has learned so far. */
public interface LearningRateSchedule {

    /** The rate to use for a mini-batch that starts after {@code eventsSeen} events. */
    double rate(long eventsSeen);

    /** The rate at the start, shown in metrics and snapshots. */
    double initialRate();

    /** The same rate for ever. */
    record Constant(double initialRate) implements LearningRateSchedule {
        public Constant {
            requirePositive(initialRate);
        }

        @Override
        public double rate(long eventsSeen) {
            return initialRate;
        }
    }

    /**
     * Inverse scaling as in scikit-learn's {@code invscaling}: {@code lr0 / (1 + eventsSeen / scale)^power}.
     * With {@code power = 0.5} this is the classic {@code 1/sqrt(t)} decay.
     */
    record InverseScaling(double initialRate, double power, double scale) implements LearningRateSchedule {
        public InverseScaling {
            requirePositive(initialRate);
            if (!(power > 0 && power <= 1)) {
                throw new IllegalArgumentException("inverse-scaling power must be in (0, 1], got " + power);
            }
            if (!(scale > 0)) {
                throw new IllegalArgumentException("inverse-scaling scale must be > 0 events, got " + scale);
            }
        }

        @Override
        public double rate(long eventsSeen) {
            return initialRate / Math.pow(1 + eventsSeen / scale, power);
        }
    }

    private static void requirePositive(double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
        }
    }
}
