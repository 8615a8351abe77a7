package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>The default shape is MovieLens-like (1,000 users, 2,000 items with Zipf(1) item popularity, as ML-100K has
 * 943 users and 1,682 items), so the tables stay in the caches as a model of that size does; a large shape
 * ({@code --users 50000 --items 10000}) measures the cost of cache misses on tables bigger than the caches.
 * Rates are reported per second of wall time and per second of the thread's CPU time: on a shared machine the
 * latter is steadier, since time the thread spends descheduled does not count.
 */
@Command(
        name = "bench-core",
        header = "Benchmark: mini-batch SGD event updates per second on one core.",
        mixinStandardHelpOptions = true,
        description = "Measures mini-batch SGD event updates per second on one core (biased MF, AdaGrad, 32 factors by "
                + "default) on a MovieLens-like shape (1,000 users, 2,000 Zipf-popular items); use --users 50000 "
                + "--items 10000 for tables larger than the caches. The last stdout line is a JSON summary.")
public final class BenchCoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", description = "Events per round. Default: 2000000.")
    int events = 2_000_000;

    @Option(names = "--users", paramLabel = "N", description = "Distinct users. Default: 1000.")
    int users = 1_000;

    @Option(names = "--items", paramLabel = "N", description = "Distinct items (Zipf popularity). Default: 2000.")
    int items = 2_000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Events per mini-batch. Default: 256.")
    int batchSize = 256;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up rounds. Default: 3.")
    int warmup = 3;

    @Option(names = "--rounds", paramLabel = "N", description = "Measured rounds. Default: 5.")
    int rounds = 5;

    @Option(
            names = "--user-rows",
            paramLabel = "N",
            description =
                    "Instead of the speed, measure the heap bytes per user row that a trainer's user task holds (its model table: id, bias, factors, optimizer state, version, update count, LRU stamp) by creating N rows with ids like 196 and 1000196. 0 (default): measure the speed.")
    int userRows;

    @Mixin
    HyperOptions hyperOptions;

    @Override
    public Integer call() {
        if (userRows < 0) {
            throw Cli.usage(spec, "--user-rows must be >= 0, got " + userRows);
        }
        if (userRows > 0) {
            return measureUserRows(Cli.hyper(spec, hyperOptions::online));
        }
        if (events < 1 || users < 1 || items < 1 || batchSize < 1 || rounds < 1 || warmup < 0) {
            throw Cli.usage(spec, "--events, --users, --items, --batch-size and --rounds must be >= 1, --warmup >= 0");
        }
        Hyperparameters hyper = Cli.hyper(spec, hyperOptions::online);
        SyntheticRatings gen = new SyntheticRatings(
                hyper.kind() == ModelKind.LOGISTIC_MF
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
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
        double best = 0;
        double sum = 0;
        double cpuBest = 0;
        double cpuSum = 0;
        for (int round = 0; round < warmup + rounds; round++) {
            long c0 = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
            long t0 = System.nanoTime();
            for (int e = 0; e < events; e++) {
                learner.learn(us[e], is[e], ys[e], 1f, 0L);
            }
            learner.flush();
            double rate = events / ((System.nanoTime() - t0) / 1e9);
            double cpuRate = cpuTime ? events / ((threads.getCurrentThreadCpuTime() - c0) / 1e9) : Double.NaN;
            if (round >= warmup) {
                best = Math.max(best, rate);
                sum += rate;
                cpuBest = Math.max(cpuBest, cpuRate);
                cpuSum += cpuRate;
                System.err.printf(
                        "round %d: %,.0f event updates/s (%,.0f per CPU second)%n", round - warmup + 1, rate, cpuRate);
            }
        }
        ObjectNode o = Json.object();
        o.put("command", "bench-core");
        o.put("model", hyper.kind().id());
        o.put("optimizer", hyper.optimizer().name());
        o.put("factors", hyper.factors());
        o.put("users", users);
        o.put("items", items);
        o.put("batch_size", batchSize);
        o.put("events_per_round", events);
        Json.put(o, "events_per_second_mean", sum / rounds);
        Json.put(o, "events_per_second_best", best);
        if (cpuTime) {
            Json.put(o, "events_per_cpu_second_mean", cpuSum / rounds);
            Json.put(o, "events_per_cpu_second_best", cpuBest);
        }
        o.put("threads", 1);
        System.out.println(o);
        return 0;
    }

    /**
     * Heap bytes per user row: the heap in use (after full collections) before and after a table of
     * {@code userRows} rows is built, over the rows. A user task holds its rows in the same table
     * ({@code UserRowCache} over the task model's users), plus one int per row for the least recently used stamp.
     */
    private int measureUserRows(Hyperparameters hyper) {
        long before = usedHeap();
        Model model = new Model(hyper);
        FactorTable users = model.users();
        for (int u = 0; u < userRows; u++) {
            users.getOrCreate(Integer.toString(u));
        }
        int[] lastUsed = new int[users.size()];
        long after = usedHeap();
        double perRow = (double) (after - before) / userRows;
        ObjectNode o = Json.object();
        o.put("command", "bench-core");
        o.put("optimizer", hyper.optimizer().name());
        o.put("factors", hyper.factors());
        o.put("user_rows", userRows);
        Json.put(o, "bytes_per_user_row", perRow);
        Json.put(o, "mb_per_million_rows", perRow);
        System.err.printf("%,d user rows: %.0f bytes per row (%d of them the LRU stamp)%n", userRows, perRow, 4);
        System.out.println(o);
        return lastUsed.length == users.size() && model.users().size() == userRows ? 0 : 1;
    }

    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
