package io.streamrec.learn;

/**
 * The model settings a user gave, each null when not given: what {@code run}'s configuration and the offline
 * commands' flags both turn into {@link Hyperparameters}, through {@link #applyTo}, so that they share one set of
 * rules and defaults.
 *
 * @param schedule      {@code constant} or {@code inverse-scaling}
 * @param schedulePower power of inverse-scaling, in (0, 1]
 * @param scheduleScale events per unit of time in inverse-scaling
 * @param userScale     {@link Hyperparameters#userScale}
 */
public record HyperparameterOverrides(
        Integer factors,
        Double initStd,
        Long seed,
        String optimizer,
        Double learningRate,
        String schedule,
        Double schedulePower,
        Double scheduleScale,
        Double regBias,
        Double regFactors,
        Double clipNorm,
        Float minLabel,
        Float maxLabel,
        Boolean userScale) {

    /** No setting given: {@link #applyTo} returns the defaults. */
    public static final HyperparameterOverrides NONE = new HyperparameterOverrides(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /**
     * The defaults with every given setting in their place.
     *
     * @param defaults        {@link Hyperparameters#defaults} or {@link Hyperparameters#pretrainDefaults} of the kind
     * @param scheduleSetting how the user names the schedule setting, for messages ({@code --schedule},
     *                        {@code model.schedule})
     * @throws IllegalArgumentException for a value out of range, naming what is allowed
     */
    public Hyperparameters applyTo(Hyperparameters defaults, String scheduleSetting) {
        Hyperparameters d = defaults;
        double lr = learningRate == null ? d.schedule().initialRate() : learningRate;
        LearningRateSchedule s = LearningRateSchedule.parse(
                schedule == null ? "constant" : schedule,
                lr,
                schedulePower == null ? LearningRateSchedule.DEFAULT_POWER : schedulePower,
                scheduleScale == null ? LearningRateSchedule.DEFAULT_SCALE : scheduleScale,
                scheduleSetting);
        return new Hyperparameters(
                d.kind(),
                factors == null ? d.factors() : factors,
                initStd == null ? d.initStd() : initStd,
                seed == null ? d.seed() : seed,
                optimizer == null ? d.optimizer() : Optimizer.parse(optimizer),
                s,
                regBias == null ? d.regBias() : regBias,
                regFactors == null ? d.regFactor() : regFactors,
                clipNorm == null ? d.clipNorm() : clipNorm,
                minLabel == null ? d.minLabel() : minLabel,
                maxLabel == null ? d.maxLabel() : maxLabel,
                userScale == null ? d.userScale() : userScale);
    }
}
