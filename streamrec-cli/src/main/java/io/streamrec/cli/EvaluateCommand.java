package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.ProgressiveValidation;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code evaluate}: progressive validation of online mini-batch SGD over a ratings file. */
@Command(
        name = "evaluate",
        header = "Progressive validation (predict, score, learn) over a ratings file.",
        mixinStandardHelpOptions = true,
        description =
                "Progressive validation over a ratings file: for each event (in timestamp order by default) predict, "
                        + "score, then learn. The last stdout line is a JSON summary.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--ratings",
            required = true,
            paramLabel = "FILE",
            description = "Ratings file (u.data, ratings.dat or CSV).")
    Path ratings;

    @Option(
            names = "--order",
            paramLabel = "ORDER",
            description = "time (sort by timestamp, stable) or file (as written). Default: time.")
    String order = "time";

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "Events per mini-batch; 1 is per-event SGD. Default: 1.")
    int batchSize = 1;

    @Option(
            names = "--curve",
            paramLabel = "FILE.csv",
            description = "Write the learning curve (events, windowed and cumulative RMSE and MAE).")
    Path curve;

    @Option(
            names = "--curve-every",
            paramLabel = "N",
            description = "Events between learning-curve points. Default: 1000.")
    int curveEvery = 1000;

    @Option(names = "--window", paramLabel = "N", description = "Events in the windowed RMSE/MAE. Default: 5000.")
    int window = 5000;

    @Option(
            names = "--init-model",
            paramLabel = "SNAPSHOT",
            description = "Start from a pretrained model snapshot (fine-tuning).")
    Path initModel;

    @Mixin
    RatingsOptions input;

    @Mixin
    HyperOptions hyperOptions;

    @Override
    public Integer call() {
        if (!order.equals("time") && !order.equals("file")) {
            throw Cli.usage(spec, "--order must be time or file, got \"" + order + "\"");
        }
        if (batchSize < 1) {
            throw Cli.usage(spec, "--batch-size must be >= 1, got " + batchSize);
        }
        if (curveEvery < 1 || window < 1) {
            throw Cli.usage(spec, "--curve-every and --window must be >= 1");
        }
        Hyperparameters hyper = Cli.hyper(spec, hyperOptions::online);
        List<Rating> events = input.read(ratings, System.err).ratings();
        if (order.equals("time")) {
            events = RatingReader.sortByTime(events);
        }
        Model model = initModel == null ? new Model(hyper) : Snapshots.fineTune(initModel, hyper);
        MiniBatchLearner learner = new MiniBatchLearner(model, batchSize);
        ProgressBar bar = new ProgressBar(System.err, "evaluate", events.size());
        ProgressiveValidation.Result r;
        try (CurveWriter w = curve == null ? null : new CurveWriter(curve)) {
            r = new ProgressiveValidation(learner, curveEvery, window)
                    .run(events, w == null ? null : w::point, bar::update);
        }
        bar.done(events.size());
        ObjectNode out = Json.object();
        out.put("command", "evaluate");
        out.put("model", hyper.kind().id());
        out.put("events", r.events());
        Json.put(out, "rmse", r.rmse());
        Json.put(out, "mae", r.mae());
        if (!Double.isNaN(r.logloss())) {
            Json.put(out, "logloss", r.logloss());
            Json.put(out, "auc", r.auc());
        }
        Json.put(out, "seconds", r.seconds());
        Json.put(out, "events_per_second", r.eventsPerSecond());
        out.put("batch_size", batchSize);
        out.put("users", model.users().size());
        out.put("items", model.items().size());
        System.out.println(out);
        return 0;
    }

    /** Writes learning-curve points as CSV. */
    static final class CurveWriter implements AutoCloseable {
        private final BufferedWriter out;

        CurveWriter(Path file) {
            try {
                out = Files.newBufferedWriter(file);
                out.write("events,window_rmse,window_mae,rmse,mae\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write learning curve " + file + ": " + e.getMessage(), e);
            }
        }

        void point(ProgressiveValidation.CurvePoint p) {
            try {
                out.write(String.format(
                        Locale.ROOT,
                        "%d,%.6f,%.6f,%.6f,%.6f%n",
                        p.events(),
                        p.windowRmse(),
                        p.windowMae(),
                        p.rmse(),
                        p.mae()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
