package io.streamrec.cli;

import io.streamrec.data.Positives;
import io.streamrec.data.Rating;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.model.ModelKind;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How labels become positives, and how many negatives the positives-only models draw. */
final class PositivesOptions {
    @Option(
            names = "--positives",
            paramLabel = "MIN",
            description = "Events labeled >= MIN are positives: the positives-only models (bpr, implicit-logistic,"
                    + " popularity) keep them and drop the rest; logistic-mf learns them as 1, the rest as 0."
                    + " Needed for these models on labels other than 0/1.")
    Float positives;

    @Option(
            names = "--negatives",
            paramLabel = "N",
            description = "Negative items sampled per positive. Default: 1 (bpr), 4 (implicit-logistic), 10 (fism).")
    Integer negatives;

    /** The events as the model must see them, or a usage error naming --positives. */
    List<Rating> apply(CommandSpec spec, List<Rating> events, ModelKind kind) {
        try {
            return Positives.apply(events, kind, positives, "--positives");
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    int negatives(CommandSpec spec, ModelKind kind) {
        if (negatives == null) {
            return ImplicitLearner.defaultNegatives(kind);
        }
        if (!kind.positivesOnly() || kind == ModelKind.POPULARITY) {
            throw Cli.usage(spec, "--negatives is for bpr, implicit-logistic and fism, not " + kind.id());
        }
        if (negatives < 1 || negatives > 1000) {
            throw Cli.usage(spec, "--negatives must be in 1..1000, got " + negatives);
        }
        return negatives;
    }
}
