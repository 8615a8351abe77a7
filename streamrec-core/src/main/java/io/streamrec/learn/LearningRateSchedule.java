package io.streamrec.learn;

/** The learning rate as a function of the number of events the model has learned so far. */
public interface LearningRateSchedule {

    /** The rate to use for a mini-batch that starts after {@code eventsSeen} events. */
    double rate(long eventsSeen);

    /** The rate at the start, shown in metrics and snapshots. */
    double initialRate();

    /** Power of inverse-scaling when none is given: the classic {@code 1/sqrt(t)} decay. */
    double DEFAULT_POWER = 0.5;
    /** Events per unit of {@code t} in inverse-scaling when none is given. */
    double DEFAULT_SCALE = 100_000;

    /**
     * The schedule named {@code name} ({@code constant}, or {@code inverse-scaling} alias {@code invscaling}),
     * starting at {@code rate}; {@code power} and {@code scale} only matter to inverse-scaling.
     *
     * @param setting how the caller's user names this setting, for the error message
     */
    static LearningRateSchedule parse(String name, double rate, double power, double scale, String setting) {
        return switch (name) {
            case "constant" -> new Constant(rate);
            case "inverse-scaling", "invscaling" -> new InverseScaling(rate, power, scale);
            default ->
                throw new IllegalArgumentException(
                        setting + " must be constant or inverse-scaling, got \"" + name + "\"");
        };
    }

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
