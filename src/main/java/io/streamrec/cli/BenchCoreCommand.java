package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelKind;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-core}: the learning core's raw speed, on one thread: mini-batch SGD over pre-indexed synthetic
 * events (no I/O, no id lookups), reporting event updates per second. Warm-up rounds let the JIT compile the
 * hot loop before the measured rounds.
 */
@Command(name = "bench-core", header = "Benchmark: mini-batch SGD event updates per second on one core.", mixinStandardHelpOptions = true,
        description = {"Measures mini-batch SGD event updates per second on one core (biased MF, AdaGrad, 32 factors",
                "by default). The last stdout line is a JSON summary."})
public final class BenchCoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", description = "Events per round. Default: 2000000.")
    int events = 2_000_000;

    @Option(names = "--users", paramLabel = "N", description = "Distinct users. Default: 50000.")
    int users = 50_000;

    @Option(names = "--items", paramLabel = "N", description = "Distinct items. Default: 10000.")
    int items = 10_000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Events per mini-batch. Default: 256.")
    int batchSize = 256;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up rounds. Default: 3.")
    int warmup = 3;

    @Option(names = "--rounds", paramLabel = "N", description = "Measured rounds. Default: 5.")
    int rounds = 5;

    @Mixin
    HyperOptions hyperOptions;

    @Override
    public Integer call() {
        if (events < 1 || users < 1 || items < 1 || batchSize < 1 || rounds < 1 || warmup < 0) {
            throw Cli.usage(spec, "--events, --users, --items, --batch-size and --rounds must be >= 1, --warmup >= 0");
        }
        Hyperparameters hyper = Cli.hyper(spec, hyperOptions::online);
        SyntheticRatings gen = new SyntheticRatings(hyper.kind() == ModelKind.LOGISTIC_MF
                ? SyntheticRatings.Spec.binary(users, items, 8, 7)
                : SyntheticRatings.Spec.explicit(users, items, 8, 7));
        List<Rating> sample = gen.take(events);
        Model model = new Model(hyper);
        int[] us = new int[events];
        int[] is = new int[events];
        float[] ys = new float[events];
        for (int e = 0; e < events; e++) {
            Rating r = sample.get(e);
            us[e] = model.users().getOrCreate(r.user());
            is[e] = model.items().getOrCreate(r.item());
            ys[e] = r.label();
        }
        MiniBatchLearner learner = new MiniBatchLearner(model, batchSize);
        double best = 0;
        double sum = 0;
        for (int round = 0; round < warmup + rounds; round++) {
            long t0 = System.nanoTime();
            for (int e = 0; e < events; e++) {
                learner.learn(us[e], is[e], ys[e], 1f, 0L);
            }
            learner.flush();
            double rate = events / ((System.nanoTime() - t0) / 1e9);
            if (round >= warmup) {
                best = Math.max(best, rate);
                sum += rate;
                System.err.printf("round %d: %,.0f event updates/s%n", round - warmup + 1, rate);
            }
        }
        ObjectNode o = Json.object();
        o.put("command", "bench-core");
        o.put("model", hyper.kind().id());
        o.put("optimizer", hyper.optimizer().name());
        o.put("factors", hyper.factors());
        o.put("batch_size", batchSize);
        o.put("events_per_round", events);
        Json.put(o, "events_per_second_mean", sum / rounds);
        Json.put(o, "events_per_second_best", best);
        o.put("threads", 1);
        System.out.println(o);
        return 0;
    }
}
