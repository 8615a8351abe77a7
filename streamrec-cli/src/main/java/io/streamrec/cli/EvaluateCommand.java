package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.eval.ProgressiveValidation;
import io.streamrec.learn.FismLearner;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.Optimizer;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.model.ModelKind;
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
        description = "Progressive validation over a ratings file: for each event (in timestamp order by default) "
                + "predict, score, then learn. With ranking metrics (the default for the positives-only models), "
                + "each event whose user has an earlier one is ranked against every item known so far, the user's "
                + "items left out. The last stdout line is a JSON summary.")
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
            names = "--metric",
            paramLabel = "LIST",
            split = ",",
            description = "Metrics: rmse, mae (with logloss, auc for logistic-mf) and the prequential ranking ones"
                    + " recall@N, ndcg@N, mrr (one N). Default: rmse,mae; recall@10,ndcg@10,mrr for bpr,"
                    + " implicit-logistic and popularity.")
    List<String> metrics;

    @Mixin
    PositivesOptions positivesOptions;

    @Option(
            names = "--init-model",
            paramLabel = "SNAPSHOT",
            description = "Start from a pretrained model snapshot (fine-tuning).")
    Path initModel;

    @Option(
            names = "--neighbourhood",
            description = "Add the residual neighbourhood (biased-mf): the user's recent level and a low-rank"
                    + " item-item neighbourhood of the model's residuals, fitted online (docs/neighbourhood.md)."
                    + " Default: off.")
    boolean neighbourhood;

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
        if (neighbourhood && hyper.kind() != ModelKind.BIASED_MF) {
            throw Cli.usage(
                    spec,
                    "--neighbourhood corrects rating predictions: it needs --model biased-mf, got "
                            + hyper.kind().id());
        }
        MetricList metricList = MetricList.parse(spec, metrics, hyper.kind());
        int negatives = positivesOptions.negatives(spec, hyper.kind());
        if (hyper.kind() == ModelKind.FISM) {
            if (batchSize != 1) {
                throw Cli.usage(spec, "--batch-size: fism learns each event as it comes; leave it at 1");
            }
            if (!(hyper.optimizer() instanceof Optimizer.Sgd)) {
                throw Cli.usage(spec, "--optimizer: fism trains with sgd, as its authors do");
            }
        }
        List<Rating> events = input.read(ratings, System.err).ratings();
        events = positivesOptions.apply(spec, events, hyper.kind());
        if (order.equals("time")) {
            events = RatingReader.sortByTime(events);
        }
        Snapshots.FineTuned start = initModel == null ? null : Snapshots.load(initModel, hyper);
        Model model = start == null ? new Model(hyper) : start.model();
        ProgressiveValidation validation;
        PrequentialRanking ranking =
                metricList.cutoff() > 0 ? new PrequentialRanking(metricList.cutoff(), window) : null;
        if (hyper.kind() == ModelKind.FISM) {
            FismLearner learner = start == null
                    ? new FismLearner(model, negatives, FismLearner.DEFAULT_ALPHA)
                    : new FismLearner(model, negatives, start.fism());
            validation = new ProgressiveValidation(model, learner::learn, learner::flush, ranking, curveEvery, window);
        } else if (hyper.kind().positivesOnly()) {
            ImplicitLearner learner = new ImplicitLearner(model, batchSize, negatives);
            validation = new ProgressiveValidation(model, learner::learn, learner::flush, ranking, curveEvery, window);
        } else {
            MiniBatchLearner learner = new MiniBatchLearner(model, batchSize);
            validation = new ProgressiveValidation(model, learner::learn, learner::flush, ranking, curveEvery, window);
        }
        if (neighbourhood) {
            validation.withNeighbourhood(new ResidualNeighbourhood(model));
        }
        ProgressBar bar = new ProgressBar(System.err, "evaluate", events.size());
        ProgressiveValidation.Result r;
        try (CurveWriter w = curve == null ? null : new CurveWriter(curve, metricList.cutoff())) {
            r = validation.run(events, w == null ? null : w::point, bar::update);
        }
        bar.done(events.size());
        ObjectNode out = Json.object();
        out.put("command", "evaluate");
        out.put("model", hyper.kind().id());
        out.put("events", r.events());
        if (!hyper.kind().positivesOnly()) {
            Json.put(out, "rmse", r.rmse());
            Json.put(out, "mae", r.mae());
        }
        if (!Double.isNaN(r.logloss())) {
            Json.put(out, "logloss", r.logloss());
            Json.put(out, "auc", r.auc());
        }
        if (r.ranking() != null) {
            PrequentialRanking.Metrics m = r.ranking();
            out.put("evaluated", m.evaluated());
            Json.put(out, "recall_at_" + m.cutoff(), m.recall());
            Json.put(out, "ndcg_at_" + m.cutoff(), m.ndcg());
            Json.put(out, "mrr", m.mrr());
        }
        if (hyper.kind().positivesOnly() && hyper.kind() != ModelKind.POPULARITY) {
            out.put("negatives", negatives);
        }
        Json.put(out, "seconds", r.seconds());
        Json.put(out, "events_per_second", r.eventsPerSecond());
        out.put("batch_size", batchSize);
        if (neighbourhood) {
            out.put("neighbourhood", true);
        }
        out.put("users", model.users().size());
        out.put("items", model.items().size());
        System.out.println(out);
        return 0;
    }

    /** Writes learning-curve points as CSV. */
    static final class CurveWriter implements AutoCloseable {
        private final BufferedWriter out;

        private final boolean ranking;

        /** {@code cutoff} is N of the ranking columns, 0 for none. */
        CurveWriter(Path file, int cutoff) {
            ranking = cutoff > 0;
            try {
                out = Files.newBufferedWriter(file);
                String n = Integer.toString(cutoff);
                out.write("events,window_rmse,window_mae,rmse,mae"
                        + (ranking
                                ? ",evaluated,window_recall_at_" + n + ",window_ndcg_at_" + n + ",window_mrr,recall_at_"
                                        + n + ",ndcg_at_" + n + ",mrr"
                                : "")
                        + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write learning curve " + file + ": " + e.getMessage(), e);
            }
        }

        void point(ProgressiveValidation.CurvePoint p) {
            try {
                out.write(String.format(
                        Locale.ROOT,
                        "%d,%.6f,%.6f,%.6f,%.6f",
                        p.events(),
                        p.windowRmse(),
                        p.windowMae(),
                        p.rmse(),
                        p.mae()));
                if (ranking) {
                    PrequentialRanking.Metrics m = p.ranking();
                    out.write(String.format(
                            Locale.ROOT,
                            ",%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f",
                            m.evaluated(),
                            m.windowRecall(),
                            m.windowNdcg(),
                            m.windowMrr(),
                            m.recall(),
                            m.ndcg(),
                            m.mrr()));
                }
                out.write("\n");
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
