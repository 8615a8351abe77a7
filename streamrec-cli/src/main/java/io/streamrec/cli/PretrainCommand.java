package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Holdout;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.learn.AlternatingLeastSquares;
import io.streamrec.learn.BatchTrainer;
import io.streamrec.learn.BlockSgdTrainer;
import io.streamrec.learn.FismLearner;
import io.streamrec.learn.FismState;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitBatchTrainer;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import io.streamrec.learn.Optimizer;
import io.streamrec.model.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pretrain}: batch training of a model snapshot that streaming then fine-tunes. */
@Command(
        name = "pretrain",
        header = "Batch training (SGD epochs or ALS) of a model snapshot.",
        mixinStandardHelpOptions = true,
        description =
                "Batch training over shuffled epochs of mini-batch SGD (or ALS), with a holdout split or a test file; "
                        + "writes a model snapshot. The last stdout line is a JSON summary.")
public final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ratings", required = true, paramLabel = "FILE", description = "Training ratings file.")
    Path ratings;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "SNAPSHOT",
            description = "Where to write the model snapshot.")
    Path out;

    @Option(names = "--test", paramLabel = "FILE", description = "A separate test file (instead of --holdout).")
    Path test;

    @Option(
            names = "--holdout",
            paramLabel = "FRACTION",
            description = "Fraction held out for testing, in [0, 1). Default: 0.2.")
    double holdout = 0.2;

    @Option(
            names = "--algorithm",
            paramLabel = "ALG",
            description =
                    "fpsg (per-event SGD over blocks of the rating matrix, parallel as LIBMF; row-adagrad or adagrad only), sgd (mini-batch SGD epochs, any optimizer, one thread) or als (alternating least squares). Default: fpsg (sgd for the positives-only models).")
    String algorithm;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "Threads for fpsg. Results are reproducible from --seed with one thread; with more they vary slightly from run to run. Default: 1.")
    int threads = 1;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description =
                    "Epochs (SGD) or iterations (ALS). Default: 30 (SGD), 15 (ALS); fism makes one pass, in time order.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Events per mini-batch (sgd). Default: 64.")
    int batchSize = 64;

    @Option(
            names = "--als-lambda",
            paramLabel = "L",
            description = "ALS regularization. Default: the ALS class default.")
    Double alsLambda;

    @Mixin
    RatingsOptions input;

    @Mixin
    HyperOptions hyperOptions;

    @Mixin
    PositivesOptions positivesOptions;

    /**
     * Files from this size (about 50,000 ratings) get the trainer compiled while they are read; for smaller ones the
     * warm-up's throwaway run would take longer than the reading and the training it speeds up.
     */
    private static final long PREPARE_BYTES = 1 << 20;

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // the reader reports it
        }
    }

    @Override
    public Integer call() {
        if (!(holdout >= 0 && holdout < 1)) {
            throw Cli.usage(spec, "--holdout must be in [0, 1), got " + holdout);
        }
        if (epochs != null && epochs < 1) {
            throw Cli.usage(spec, "--epochs must be >= 1, got " + epochs);
        }
        Hyperparameters hyper = Cli.hyper(spec, () -> hyperOptions.pretrain());
        boolean fism = hyper.kind() == ModelKind.FISM;
        if (fism) {
            if (epochs != null && epochs != 1) {
                throw Cli.usage(
                        spec,
                        "--epochs: fism pretrains in one pass in time order, as the stream trains it (a second pass"
                                + " would find each item in its own user's history); leave it at 1, got " + epochs);
            }
            if (!(hyper.optimizer() instanceof Optimizer.Sgd)) {
                throw Cli.usage(spec, "--optimizer: fism trains with sgd, as its authors do");
            }
        }
        boolean positivesOnly = hyper.kind().positivesOnly();
        if (algorithm == null) {
            algorithm = positivesOnly ? "sgd" : "fpsg";
        }
        if (!algorithm.equals("fpsg") && !algorithm.equals("sgd") && !algorithm.equals("als")) {
            throw Cli.usage(spec, "--algorithm must be fpsg, sgd or als, got \"" + algorithm + "\"");
        }
        if (threads < 1 || threads > 256) {
            throw Cli.usage(spec, "--threads must be in 1..256, got " + threads);
        }
        if (threads > 1 && !algorithm.equals("fpsg")) {
            throw Cli.usage(spec, "--threads applies to --algorithm fpsg only, got " + algorithm);
        }
        if (positivesOnly && !algorithm.equals("sgd")) {
            throw Cli.usage(
                    spec,
                    "--algorithm " + algorithm + " trains rating models only; "
                            + hyper.kind().id() + " takes sgd");
        }
        if (algorithm.equals("fpsg") && sizeOf(ratings) >= PREPARE_BYTES) {
            BlockSgdTrainer.prepare(hyper);
        }
        int negatives = positivesOptions.negatives(spec, hyper.kind());
        List<Rating> all =
                positivesOptions.apply(spec, input.read(ratings, System.err).ratings(), hyper.kind());
        List<Rating> train;
        List<Rating> testSet;
        if (test != null) {
            train = all;
            testSet = positivesOptions.apply(spec, input.read(test, System.err).ratings(), hyper.kind());
        } else {
            Holdout.Split split = Holdout.random(all, 1 - holdout, hyper.seed());
            train = split.train();
            testSet = split.test();
        }
        int rounds = epochs != null
                ? epochs
                : fism ? 1 : algorithm.equals("als") ? AlternatingLeastSquares.DEFAULT_ITERATIONS : 30;
        FismState fismState = null;
        double setupSeconds = Double.NaN;
        double epochSeconds = Double.NaN;
        long cpuStart = ProcessCpu.nanos();
        long start = System.nanoTime();
        Model model;
        if (algorithm.equals("als")) {
            int iterations = rounds;
            AlternatingLeastSquares als = new AlternatingLeastSquares(
                    hyper, iterations, alsLambda == null ? AlternatingLeastSquares.DEFAULT_LAMBDA : alsLambda);
            ProgressBar bar = new ProgressBar(System.err, "pretrain als", iterations);
            model = als.train(train, bar::update);
            bar.done(iterations);
        } else if (algorithm.equals("fpsg")) {
            if (!(hyper.optimizer() instanceof Optimizer.AdaGrad
                    || hyper.optimizer() instanceof Optimizer.RowAdaGrad)) {
                throw Cli.usage(
                        spec,
                        "--algorithm fpsg trains with AdaGrad; use --algorithm sgd for --optimizer "
                                + hyper.optimizer().name());
            }
            int n = rounds;
            ProgressBar bar = new ProgressBar(System.err, "pretrain", n);
            BlockSgdTrainer trainer = new BlockSgdTrainer(hyper, n, threads, hyper.seed());
            model = trainer.train(train, bar::update);
            bar.done(n);
            setupSeconds = trainer.setupSeconds();
            epochSeconds = trainer.epochSeconds();
        } else if (fism) {
            ProgressBar bar = new ProgressBar(System.err, "pretrain", 1);
            FismLearner learner = new FismLearner(new Model(hyper), negatives, FismLearner.DEFAULT_ALPHA);
            learner.learnAll(RatingReader.sortByTime(train));
            model = learner.model();
            fismState = learner.state();
            bar.done(1);
        } else if (positivesOnly) {
            int n = epochs == null ? 30 : epochs;
            ProgressBar bar = new ProgressBar(System.err, "pretrain", n);
            model = new ImplicitBatchTrainer(hyper, n, batchSize, negatives, hyper.seed()).train(train, bar::update);
            bar.done(n);
        } else {
            int n = rounds;
            ProgressBar bar = new ProgressBar(System.err, "pretrain", n);
            model = new BatchTrainer(hyper, n, batchSize, hyper.seed()).train(train, bar::update);
            bar.done(n);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (ProcessCpu.nanos() - cpuStart) / 1e9;
        RegressionMetrics m = new RegressionMetrics();
        PrequentialRanking.Metrics ranking = null;
        if (positivesOnly) {
            ranking = holdoutRanking(model, train, testSet);
        } else {
            for (Rating r : testSet) {
                m.add(r.label(), model.predict(r.user(), r.item()));
            }
        }
        ModelSnapshot.write(model, fismState, out, "pretrain " + algorithm + " on " + ratings.getFileName());
        ObjectNode o = Json.object();
        o.put("command", "pretrain");
        o.put("algorithm", algorithm);
        o.put("threads", threads);
        if (algorithm.equals("fpsg")) {
            o.put("kernel", BlockSgdTrainer.kernel());
        }
        o.put("epochs", rounds);
        o.put("model", hyper.kind().id());
        o.put("train", train.size());
        o.put("test", testSet.size());
        if (ranking == null) {
            Json.put(o, "rmse", m.rmse());
            Json.put(o, "mae", m.mae());
        } else {
            o.put("evaluated", ranking.evaluated());
            Json.put(o, "recall_at_" + ranking.cutoff(), ranking.recall());
            Json.put(o, "ndcg_at_" + ranking.cutoff(), ranking.ndcg());
            Json.put(o, "mrr", ranking.mrr());
        }
        Json.put(o, "seconds", seconds);
        Json.put(o, "cpu_seconds", cpuSeconds);
        if (!algorithm.equals("als")) {
            // Event updates (one rating, one epoch) per second, as LIBMF's speed is usually stated.
            Json.put(o, "updates_per_second", (double) train.size() * rounds / seconds);
            Json.put(o, "updates_per_cpu_second", (double) train.size() * rounds / cpuSeconds);
        }
        if (!Double.isNaN(epochSeconds)) {
            // fpsg: what the threads share (the epochs) apart from what one thread does before them.
            Json.put(o, "setup_seconds", setupSeconds);
            Json.put(o, "epoch_seconds", epochSeconds);
            Json.put(o, "updates_per_epoch_second", (double) train.size() * rounds / epochSeconds);
        }
        o.put("users", model.users().size());
        o.put("items", model.items().size());
        o.put("out", out.toString());
        System.out.println(o);
        return 0;
    }

    /**
     * The held-out positives ranked as in {@code evaluate}, but by the trained model, which learns nothing more:
     * each test event of a user with training events is ranked against every item, the user's training items
     * left out.
     */
    private static PrequentialRanking.Metrics holdoutRanking(Model model, List<Rating> train, List<Rating> test) {
        PrequentialRanking ranking = new PrequentialRanking(MetricList.DEFAULT_CUTOFF, Math.max(1, test.size()));
        for (Rating r : train) {
            ranking.seen(model.users().indexOf(r.user()), model.items().indexOf(r.item()));
        }
        for (Rating r : test) {
            ranking.evaluate(
                    model, model.users().indexOf(r.user()), model.items().indexOf(r.item()));
        }
        return ranking.metrics();
    }
}
