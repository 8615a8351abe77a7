package io.streamrec.cli;

import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRow;
import io.streamrec.model.ModelStore;
import io.streamrec.model.ModelUpdate;
import io.streamrec.model.RowKind;
import io.streamrec.model.ScoredItem;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures exact top-k recommendation latency of {@link ModelStore} on a random model: one request is one
 * {@code recommend(user, k, {})} call over every item, timed with {@link System#nanoTime()}. Requests run
 * back to back on {@code --threads} threads after a warm-up; the last output line is JSON. It names the scan that
 * ran ({@link ModelStore#topKKernel()}): the 8-bit SIMD first stage needs {@code --add-modules jdk.incubator.vector}.
 */
@Command(
        name = "bench-topk",
        header = "Benchmark: exact top-k over item factors, latency per request.",
        mixinStandardHelpOptions = true,
        description = "Benchmark exact top-k recommendation over a random model; last line is JSON.")
public final class BenchTopkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--items", defaultValue = "100000", description = "Items in the model (default ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--users", defaultValue = "10000", description = "Users in the model (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--factors", defaultValue = "32", description = "Latent factors (default ${DEFAULT-VALUE}).")
    int factors;

    @Option(names = "-k", defaultValue = "10", description = "Items per request (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--requests", defaultValue = "10000", description = "Timed requests (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--warmup",
            defaultValue = "2000",
            description = "Untimed requests first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Concurrent request threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (items < 1 || users < 1 || factors < 1 || k < 1 || requests < 1 || warmup < 0 || threads < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--items, --users, --factors, -k, --requests and --threads must be positive, --warmup >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        long buildStart = System.nanoTime();
        ModelStore store = randomModel(new Random(seed), users, items, factors);
        out.printf(
                Locale.ROOT,
                "model: %d users, %d items, %d factors, built in %.1f s; top-k kernel %s%n",
                users,
                items,
                factors,
                (System.nanoTime() - buildStart) / 1e9,
                store.topKKernel());

        long[] latencies = new long[requests];
        long[] cpu = new long[requests];
        run(store, warmup, null, null, seed + 1);
        long start = System.nanoTime();
        long allocated = run(store, requests, latencies, cpu, seed + 2);
        double seconds = (System.nanoTime() - start) / 1e9;

        Arrays.sort(latencies);
        double p50 = percentileMs(latencies, 0.50);
        double p99 = percentileMs(latencies, 0.99);
        double max = latencies[latencies.length - 1] / 1e6;
        Arrays.sort(cpu);
        double cpuP50 = percentileMs(cpu, 0.50);
        double cpuP99 = percentileMs(cpu, 0.99);
        double rps = requests / seconds;
        // A scan allocates a few objects; kilobytes per request mean the JIT left vectors boxed (docs/benchmarks.md).
        double allocatedPerRequest = allocated < 0 ? Double.NaN : (double) allocated / requests;
        out.printf(
                Locale.ROOT,
                "k=%d over %d items x %d factors, %d requests on %d thread(s): p50 %.3f ms, p99 %.3f ms,"
                        + " max %.3f ms, %.0f requests/s; CPU time per request p50 %.3f ms, p99 %.3f ms;"
                        + " %.0f bytes allocated per request%n",
                k,
                items,
                factors,
                requests,
                threads,
                p50,
                p99,
                max,
                rps,
                cpuP50,
                cpuP99,
                allocatedPerRequest);
        out.printf(
                Locale.ROOT,
                "{\"command\":\"bench-topk\",\"kernel\":\"%s\",\"items\":%d,\"factors\":%d,\"k\":%d,"
                        + "\"threads\":%d,\"requests\":%d,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,\"requests_per_second\":%.1f,"
                        + "\"cpu_p50_ms\":%.4f,\"cpu_p99_ms\":%.4f,\"allocated_bytes_per_request\":%.0f}%n",
                store.topKKernel(),
                items,
                factors,
                k,
                threads,
                requests,
                p50,
                p99,
                max,
                rps,
                cpuP50,
                cpuP99,
                allocatedPerRequest);
        out.flush();
        return 0;
    }

    /**
     * Runs {@code count} requests split over the threads; records each latency when {@code latencies} is set, and
     * the thread's CPU time per request in {@code cpu} (steadier than wall time on a shared machine, since time
     * spent descheduled does not count).
     *
     * @return the bytes the requests allocated, over all threads; -1 when the JVM does not count them
     */
    private long run(ModelStore store, int count, long[] latencies, long[] cpu, long runSeed)
            throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean memory = mx instanceof com.sun.management.ThreadMXBean m
                        && m.isThreadAllocatedMemorySupported()
                        && m.isThreadAllocatedMemoryEnabled()
                ? m
                : null;
        List<Thread> workers = new ArrayList<>();
        long[] sink = new long[threads];
        long[] allocated = new long[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(
                    () -> {
                        Random random = new Random(runSeed + thread);
                        long a0 = memory != null ? memory.getCurrentThreadAllocatedBytes() : 0;
                        for (int r = thread; r < count; r += threads) {
                            String user = "u" + random.nextInt(users);
                            long c0 = cpu != null ? mx.getCurrentThreadCpuTime() : 0;
                            long t0 = System.nanoTime();
                            List<ScoredItem> top = store.recommend(user, k, Set.of());
                            long elapsed = System.nanoTime() - t0;
                            if (latencies != null) {
                                latencies[r] = elapsed;
                            }
                            if (cpu != null) {
                                cpu[r] = mx.getCurrentThreadCpuTime() - c0;
                            }
                            sink[thread] += top.size();
                        }
                        allocated[thread] = memory != null ? memory.getCurrentThreadAllocatedBytes() - a0 : 0;
                    },
                    "bench-topk-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (Arrays.stream(sink).sum() == 42) {
            System.err.print(""); // keeps the results observably used
        }
        return memory != null ? Arrays.stream(allocated).sum() : -1;
    }

    static ModelStore randomModel(Random random, int users, int items, int factors) {
        ModelStore store = new ModelStore();
        store.apply(new ModelUpdate.Meta(new ModelMeta(ModelKind.BIASED_MF, factors, 3.5, 0, 1.0, 5.0, null, 0)));
        List<ModelUpdate> batch = new ArrayList<>(users + items);
        for (int u = 0; u < users; u++) {
            batch.add(new ModelUpdate.Row(
                    new ModelRow(RowKind.USER, "u" + u, gaussian(random, 0.3f), vector(random, factors), 1, 1, 0, 0)));
        }
        for (int i = 0; i < items; i++) {
            batch.add(new ModelUpdate.Row(
                    new ModelRow(RowKind.ITEM, "i" + i, gaussian(random, 0.3f), vector(random, factors), 1, 1, 0, 0)));
        }
        store.apply(batch);
        return store;
    }

    private static float[] vector(Random random, int factors) {
        float[] x = new float[factors];
        for (int f = 0; f < factors; f++) {
            x[f] = gaussian(random, 0.2f);
        }
        return x;
    }

    private static float gaussian(Random random, float sd) {
        return (float) random.nextGaussian() * sd;
    }

    private static double percentileMs(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchTopkCommand()).execute(args));
    }
}
