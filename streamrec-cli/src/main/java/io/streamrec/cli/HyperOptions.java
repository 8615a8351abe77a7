package io.streamrec.cli;

import io.streamrec.learn.HyperparameterOverrides;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKind;
import picocli.CommandLine.Option;

/**
 * The model and training options shared by every command that trains. An option left out takes its value from
 * {@link Hyperparameters#defaults(ModelKind)} (or the command's own defaults), so that README's figures are what a
 * user gets without tuning.
 */
final class HyperOptions {
    @Option(
            names = "--model",
            paramLabel = "KIND",
            description = "biased-mf (ratings), logistic-mf (0/1 clicks), or for positives only: bpr,"
                    + " implicit-logistic, fism, popularity (the baseline). Default: biased-mf.")
    String model = "biased-mf";

    @Option(names = "--factors", paramLabel = "K", description = "Latent factors per row (1..1024). Default: 32.")
    Integer factors;

    @Option(
            names = "--optimizer",
            paramLabel = "NAME",
            description =
                    "sgd, row-adagrad (LIBMF's: one rate per row), adagrad (one per coordinate) or adam. Default: row-adagrad.")
    String optimizer;

    @Option(
            names = "--learning-rate",
            paramLabel = "LR",
            description = "Initial learning rate. Default: 0.3 (online), 0.05 (pretrain).")
    Double learningRate;

    @Option(
            names = "--schedule",
            paramLabel = "NAME",
            description = "constant or inverse-scaling (lr / (1 + t/scale)^power). Default: constant.")
    String schedule;

    @Option(
            names = "--schedule-power",
            paramLabel = "P",
            description = "Power of inverse-scaling, in (0, 1]. Default: 0.5.")
    Double schedulePower;

    @Option(
            names = "--schedule-scale",
            paramLabel = "EVENTS",
            description = "Events per unit of t in inverse-scaling. Default: 100000.")
    Double scheduleScale;

    @Option(names = "--reg-bias", paramLabel = "L2", description = "L2 penalty on biases. Default: 0.05.")
    Double regBias;

    @Option(
            names = "--reg-factors",
            paramLabel = "L2",
            description = "L2 penalty on factors. Default: 0.05 (online), 0.1 (pretrain).")
    Double regFactors;

    @Option(
            names = "--clip-norm",
            paramLabel = "C",
            description = "Clip each row's gradient to this L2 norm; 0 disables. Default: 10.")
    Double clipNorm;

    @Option(
            names = "--init-std",
            paramLabel = "S",
            description = "Std of the Gaussian that initializes factors. Default: 0.05.")
    Double initStd;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for row initialization and shuffling. Default: 42.")
    Long seed;

    @Option(
            names = "--min-label",
            paramLabel = "Y",
            description = "Smallest valid label. Default: 1 (biased-mf), 0 (logistic-mf).")
    Float minLabel;

    @Option(
            names = "--max-label",
            paramLabel = "Y",
            description = "Largest valid label. Default: 5 (biased-mf), 1 (logistic-mf).")
    Float maxLabel;

    @Option(
            names = "--user-scale",
            description = "Learn each user's scale on the item bias, (1 + c_u) b_i (Koren 2009), biased-mf with"
                    + " row-adagrad only; rows carry c_u (users) or a copy of b_i (items) after their factors."
                    + " Not with pretrain --algorithm als. Default: off.")
    Boolean userScale;

    /** What was given on the command line; the rest comes from the defaults. */
    HyperparameterOverrides overrides() {
        return new HyperparameterOverrides(
                factors,
                initStd,
                seed,
                optimizer,
                learningRate,
                schedule,
                schedulePower,
                scheduleScale,
                regBias,
                regFactors,
                clipNorm,
                minLabel,
                maxLabel,
                userScale);
    }

    /** The pretraining defaults ({@link Hyperparameters#pretrainDefaults}) with the options given. */
    Hyperparameters pretrain() {
        return overrides().applyTo(Hyperparameters.pretrainDefaults(ModelKind.parse(model)), "--schedule");
    }

    /** The online defaults (evaluate, run, demo) with the options given. */
    Hyperparameters online() {
        return overrides().applyTo(Hyperparameters.defaults(ModelKind.parse(model)), "--schedule");
    }
}
