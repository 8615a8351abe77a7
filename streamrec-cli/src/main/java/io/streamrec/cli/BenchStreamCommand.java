package io.streamrec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.app.InteractionProducer;
import io.streamrec.app.TrainerApp;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.stream.PassthroughTopology;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-stream}: the whole training topology against a real in-process broker.
 *
 * <ol>
 *   <li>Throughput: the same events through a passthrough topology (parse and forward only, the ceiling) and
 *       through the training topology, each a long-lived application under exactly-once, in alternating rounds:
 *       a round sends the next pass of the events to both (paused) applications, then resumes each in turn (which
 *       one first alternates from round to round) and times it from a tenth of the events to the last; medians of the
 *       rounds after the JIT's warm-up, the median of the rounds' own ratios (also from CPU time per event), and the
 *       bytes each application writes per event and topic.</li>
 *   <li>Latency: a paced stream through the trainer while a read_committed consumer follows
 *       {@code model-updates}; an event's latency runs from its send to the first committed user row whose
 *       {@code updates} count includes it.</li>
 * </ol>
 */
@Command(
        name = "bench-stream",
        header = "Benchmark: the training topology against a passthrough, and its latency.",
        mixinStandardHelpOptions = true,
        description =
                "Measures the training topology against an in-process broker: events/s vs a passthrough topology, "
                        + "their ratio, and event-to-model-update latency p50/p99. The last stdout line is JSON.")
public final class BenchStreamCommand implements Callable<Integer> {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** Warm-up ends once a training round spends less than this share of the process's CPU in the JIT compilers. */
    private static final double MAX_JIT_SHARE = 0.03;

    private static final int MAX_WARMUP = 12;

    /** A round of one application: events/s, the JIT's share of the CPU, and the process's CPU ns per event. */
    private record Run(double rate, double jitShare, double cpuPerEvent) {}

    @Spec
    CommandSpec spec;

    @Option(
            names = "--events",
            paramLabel = "N",
            description =
                    "Events for the throughput runs; a ratings file is replayed again (later in time) to reach it. Default: 300000.")
    int events = 300_000;

    @Option(
            names = "--ratings",
            paramLabel = "FILE",
            description =
                    "Replay this ratings file in timestamp order for the throughput runs, instead of synthetic events.")
    Path ratings;

    @Option(names = "--latency-events", paramLabel = "N", description = "Events for the latency run. Default: 20000.")
    int latencyEvents = 20_000;

    @Option(names = "--rate", paramLabel = "EVENTS/S", description = "Pace of the latency run. Default: 2000.")
    double rate = 2000;

    @Option(names = "--partitions", paramLabel = "N", description = "Topic partitions. Default: 2.")
    int partitions = 2;

    @Option(
            names = {"-D", "--set"},
            paramLabel = "KEY=VALUE",
            description = "Any trainer or Kafka Streams setting for both topologies; repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Measured throughput rounds of each topology; medians are reported. Default: 5.")
    int rounds = 5;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description =
                    "At least this many warm-up rounds of each topology before the measured ones; more (up to 12) until "
                            + "the JIT compilers take under 3%% of a training round's CPU. Default: 2.")
    int warmup = 2;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Kafka Streams threads of both topologies. Default: 2 (the trainer's default).")
    int threads = 2;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "Trainer train.batch.size. Default: the trainer's default.")
    Integer batchSize;

    @Option(
            names = "--flush-interval-ms",
            paramLabel = "MS",
            description = "Trainer flush.interval.ms. Default: the trainer's default.")
    Integer flushIntervalMs;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || latencyEvents < 1 || rate <= 0 || partitions < 1 || rounds < 1 || threads < 1 || warmup < 0) {
            throw Cli.usage(
                    spec, "--events, --latency-events, --partitions, --rounds, --threads must be >= 1 and --rate > 0");
        }
        SyntheticRatings gen = new SyntheticRatings(SyntheticRatings.Spec.explicit(10_000, 2_000, 8, 42));
        List<Rating> sample;
        if (ratings != null) {
            List<Rating> all =
                    io.streamrec.data.RatingReader.sortByTime(io.streamrec.data.RatingReader.readAll(ratings));
            sample = replay(all, events);
        } else {
            sample = gen.take(events);
        }
        float lowest = (float) sample.stream().mapToDouble(Rating::label).min().orElse(0);
        Float threshold = positivesSetting();
        if (threshold != null && threshold > lowest) {
            // A round ends when every event it sent is trained: events below the threshold never are.
            throw Cli.usage(
                    spec,
                    "-D model.positives must be at most the lowest label replayed (" + lowest
                            + ") so that every event is trained; got " + threshold);
        }
        Path work = Files.createTempDirectory("streamrec-bench");
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                TopicAdmin.ensureTopics(
                        admin,
                        List.of(
                                new NewTopic(PassthroughTopology.OUTPUT, partitions, (short) 1),
                                new NewTopic(PassthroughTopology.INPUT, partitions, (short) 1),
                                new NewTopic(Topics.INTERACTIONS, partitions, (short) 1)));
            }
            // One passthrough and one training application for the whole benchmark, as deployed: each runs in turn
            // while the other is paused. (Starting new applications each round kept the JIT compiling their
            // start-up paths in every measured round, 5-20% of the CPU.) Each round first sends the next pass of
            // the events to both input topics while both are paused, so that each is timed reading a backlog.
            TrainerConfig passCfg = config(bootstrap, "bench-pass", work);
            LongAdder processed = new LongAdder();
            KafkaStreams pass =
                    new KafkaStreams(PassthroughTopology.build(passCfg, processed), passCfg.streamsProperties());
            TrainerConfig trainCfg = config(bootstrap, "bench-train", work);
            PrequentialTotals totals = new PrequentialTotals();
            TrainerApp app = TrainerApp.start(trainCfg, totals, false);
            pass.start();
            if (!TrainerApp.awaitRunning(pass, Duration.ofMinutes(2)) || !app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException(
                        "the passthrough or the training application did not reach RUNNING within 2 minutes");
            }
            pass.pause();
            app.streams().pause();
            long span = span(sample);
            // Warm up for at least --warmup rounds and then until a training round spends under MAX_JIT_SHARE of its
            // CPU compiling: a long-running trainer is past its JIT warm-up.
            List<Double> passRates = new ArrayList<>();
            List<Double> trainRates = new ArrayList<>();
            Map<String, double[]> sentBefore = new HashMap<>();
            Map<String, double[]> passSentBefore = new HashMap<>();
            // Bytes each application wrote per topic over the measured rounds.
            Map<String, Double> trainBytes = new java.util.TreeMap<>();
            Map<String, Double> passBytes = new java.util.TreeMap<>();
            List<Double> passCpu = new ArrayList<>();
            List<Double> trainCpu = new ArrayList<>();
            List<Double> passJit = new ArrayList<>();
            List<Double> trainJit = new ArrayList<>();
            int warmed = -1;
            try {
                for (int round = 0; warmed < 0 || round < warmed + rounds; round++) {
                    boolean warming = warmed < 0;
                    List<Rating> batch = shift(sample, round * span);
                    produce(bootstrap, PassthroughTopology.INPUT, batch, 0, null);
                    produce(bootstrap, Topics.INTERACTIONS, batch, 0, null);
                    Run p = null;
                    Run t = null;
                    Map<String, Double> pb = null;
                    Map<String, Double> tb = null;
                    // Which application runs first alternates from round to round, so that what the first (or the
                    // second) run of a round meets, the broker still settling the input just written or the other
                    // application's leftovers, falls on both alike.
                    for (int turn = 0; turn < 2; turn++) {
                        if ((turn == 0) == (round % 2 == 0)) {
                            System.err.printf("round %d: passthrough ...%n", round + 1);
                            p = steadyRate("passthrough", pass, processed::sum, events);
                            pass.pause();
                            pb = bytesSent(pass, passSentBefore);
                        } else {
                            System.err.printf("round %d: training ...%n", round + 1);
                            // Events trained, not predicted: the positives-only models predict no label.
                            t = steadyRate("training", app.streams(), totals::trained, events);
                            app.streams().pause();
                            tb = printThreadRatios(app.streams(), sentBefore);
                        }
                    }
                    if (warming && round + 1 >= warmup && (t.jitShare() < MAX_JIT_SHARE || round + 1 >= MAX_WARMUP)) {
                        warmed = round + 1;
                    }
                    if (!warming) {
                        passRates.add(p.rate());
                        trainRates.add(t.rate());
                        passCpu.add(p.cpuPerEvent());
                        trainCpu.add(t.cpuPerEvent());
                        passJit.add(p.jitShare());
                        trainJit.add(t.jitShare());
                        pb.forEach((topic, b) -> passBytes.merge(topic, b, Double::sum));
                        tb.forEach((topic, b) -> trainBytes.merge(topic, b, Double::sum));
                    }
                    System.err.printf(
                            "round %d%s: passthrough %,.0f events/s, training %,.0f events/s (JIT %.0f%% and %.0f%% of their"
                                    + " CPU)%n",
                            round + 1,
                            warming ? " (warm-up)" : "",
                            p.rate(),
                            t.rate(),
                            100 * p.jitShare(),
                            100 * t.jitShare());
                }
            } finally {
                pass.close();
            }
            app.streams().resume();
            // Let the item tasks work off the gradients of the throughput run first: the latency run measures a
            // trainer keeping up with a paced stream, not one still catching up.
            Thread.sleep(SETTLE.toMillis());
            System.err.println("latency run ...");
            List<Long> latencies = latencyRun(bootstrap, gen);
            app.close();
            double passRate = median(toArray(passRates));
            double trainRate = median(toArray(trainRates));
            ObjectNode o = Json.object();
            o.put("command", "bench-stream");
            o.put("events", events);
            o.put(
                    "source",
                    ratings == null ? "synthetic" : ratings.getFileName().toString());
            o.put("partitions", partitions);
            o.put("threads", threads);
            o.put("rounds", rounds);
            o.put("warmup_rounds", warmed);
            o.put("batch_size", trainCfg.batchSize());
            o.put("flush_interval_ms", trainCfg.flushIntervalMs());
            o.put(
                    "commit_interval_ms",
                    Long.parseLong(String.valueOf(trainCfg.streamsProperties()
                            .get(org.apache.kafka.streams.StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))));
            Json.put(o, "passthrough_events_per_second", passRate);
            Json.put(o, "training_events_per_second", trainRate);
            // The median of the rounds' own ratios: each round's two applications ran back to back on the same
            // backlog, so a round's ratio cancels most of what the shared machine did to both in it.
            double[] ratios = ratios(trainRates, passRates);
            var roundRatios = o.putArray("round_ratios");
            for (double r : ratios) {
                roundRatios.add(Math.round(r * 1000) / 1000.0);
            }
            Json.put(o, "ratio", median(ratios));
            // The same from CPU time (every thread of the process, the broker's too) instead of wall time: what a
            // round costs, whatever else the host ran meanwhile. On a machine whose cores the bench keeps busy the
            // two agree; where they part, the host took the difference.
            Json.put(o, "passthrough_cpu_us_per_event", median(toArray(passCpu)) / 1e3);
            Json.put(o, "training_cpu_us_per_event", median(toArray(trainCpu)) / 1e3);
            Json.put(o, "cpu_ratio", median(ratios(passCpu, trainCpu)));
            // How far from a JIT steady state the measured rounds were: the compilers' share of each round's CPU.
            Json.put(o, "passthrough_jit_share", median(toArray(passJit)));
            Json.put(o, "training_jit_share", median(toArray(trainJit)));
            // Bytes written per input event and topic over the measured rounds (changelogs included).
            double measured = (double) events * trainRates.size();
            ObjectNode trainPerTopic = o.putObject("training_bytes_per_event");
            trainBytes.forEach((topic, b) -> trainPerTopic.put(topic, Math.round(b / measured * 10) / 10.0));
            ObjectNode passPerTopic = o.putObject("passthrough_bytes_per_event");
            passBytes.forEach((topic, b) -> passPerTopic.put(topic, Math.round(b / measured * 10) / 10.0));
            o.put("latency_samples", latencies.size());
            Json.put(o, "latency_p50_ms", percentile(latencies, 0.50));
            Json.put(o, "latency_p99_ms", percentile(latencies, 0.99));
            Json.put(o, "latency_max_ms", latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
            System.out.println(o);
        }
        return 0;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Each round's {@code top / bottom}. */
    private static double[] ratios(List<Double> top, List<Double> bottom) {
        double[] r = new double[top.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = top.get(k) / bottom.get(k);
        }
        return r;
    }

    private TrainerConfig config(String bootstrap, String appId, Path work) {
        Map<String, String> s = new HashMap<>(settings);
        s.put(TrainerConfig.BOOTSTRAP_SERVERS, bootstrap);
        s.put(TrainerConfig.APPLICATION_ID, appId);
        s.put("state.dir", work.resolve(appId).toString());
        s.put(TrainerConfig.PARTITIONS, String.valueOf(partitions));
        s.put("num.stream.threads", String.valueOf(threads));
        if (batchSize != null) {
            s.put(TrainerConfig.BATCH_SIZE, batchSize.toString());
        }
        if (flushIntervalMs != null) {
            s.put(TrainerConfig.FLUSH_INTERVAL_MS, flushIntervalMs.toString());
        }
        try {
            return TrainerConfig.of(s);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    /**
     * Resumes (or starts) a run of {@code count} more events and returns its events per second in steady state:
     * timed from the moment a tenth of them are through (fetches, buffers and threads are under way by then) to the
     * moment all are, with the share of CPU the JIT took. Prints where the process's CPU went meanwhile, per event.
     */
    /** {@code -D model.positives}, or null; an unreadable value is left for the trainer's config to name. */
    private Float positivesSetting() {
        String v = settings.get(TrainerConfig.POSITIVES);
        try {
            return v == null ? null : Float.valueOf(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Run steadyRate(
            String name, KafkaStreams streams, java.util.function.LongSupplier processed, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long base = processed.getAsLong();
        long total = base + count;
        int threads = streams.metadataForLocalThreads().size();
        streams.resume();
        long skip = base + Math.max(1, count / 10);
        while (processed.getAsLong() < skip) {
            check(name, streams, threads, deadline);
            Thread.sleep(1);
        }
        long from = processed.getAsLong();
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        Map<String, long[]> threads0 = threadUsage();
        Map<String, Long> native0 = NativeThreads.cpuByKind();
        while (processed.getAsLong() < total) {
            check(name, streams, threads, deadline);
            Thread.sleep(2);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long counted = processed.getAsLong() - from;
        // The whole process, broker included: tells a run that waits from one that is short of cores.
        long cpu = processCpuNanos() - cpu0;
        Map<String, Long> byKind = new java.util.TreeMap<>();
        long javaThreads = 0;
        Map<String, Long> allocByKind = new java.util.TreeMap<>();
        for (Map.Entry<String, long[]> t : threadUsage().entrySet()) {
            long[] before = threads0.getOrDefault(t.getKey(), new long[2]);
            long d = t.getValue()[0] - before[0];
            javaThreads += d;
            byKind.merge(threadKind(t.getKey()), d, Long::sum);
            allocByKind.merge(threadKind(t.getKey()), t.getValue()[1] - before[1], Long::sum);
        }
        long nativeThreads = 0;
        for (Map.Entry<String, Long> n : NativeThreads.cpuByKind().entrySet()) {
            long d = n.getValue() - native0.getOrDefault(n.getKey(), 0L);
            byKind.put(n.getKey(), d);
            nativeThreads += d;
        }
        // Process CPU no live thread accounts for: threads that ended during the round, and where the JVM's own
        // threads could not be read (not Linux), its compilers and collectors.
        byKind.put(
                NativeThreads.AVAILABLE ? "other (ended threads)" : "jvm (gc, jit)", cpu - javaThreads - nativeThreads);
        StringBuilder b = new StringBuilder(String.format(
                "  busy cores %.2f of %d; CPU us per event %.1f:",
                cpu / 1e9 / seconds, Runtime.getRuntime().availableProcessors(), cpu / 1e3 / counted));
        byKind.forEach((k, v) -> b.append(String.format(" %s %.1f", k, v / 1e3 / counted)));
        System.err.println(b);
        StringBuilder a = new StringBuilder("  bytes allocated per event:");
        allocByKind.forEach((k, v) -> a.append(String.format(" %s %,d", k, v / counted)));
        System.err.println(a);
        return new Run(
                counted / seconds,
                cpu == 0 ? 0 : (double) byKind.getOrDefault("jit", 0L) / cpu,
                (double) cpu / counted);
    }

    /** CPU time (ns) and bytes allocated so far of every live Java thread, by "id name". */
    private static Map<String, long[]> threadUsage() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, long[]> out = new HashMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null) {
                long id = info.getThreadId();
                out.put(
                        id + " " + info.getThreadName(),
                        new long[] {Math.max(0, mx.getThreadCpuTime(id)), Math.max(0, mx.getThreadAllocatedBytes(id))});
            }
        }
        return out;
    }

    private static String threadKind(String name) {
        if (name.contains("GlobalStreamThread")) {
            return "global-thread";
        }
        if (name.contains("producer-network-thread")) {
            return "producers";
        }
        if (name.contains("StreamThread")) {
            return "stream-threads";
        }
        if (name.contains("kafka")
                || name.contains("Txn")
                || name.contains("quorum")
                || name.contains("broker")
                || name.contains("group-coordinator")
                || name.contains("controller")
                || name.contains("Partitions")) {
            return "broker";
        }
        return "other";
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                .getProcessCpuTime();
    }

    /**
     * Fails a run whose application stopped or lost a stream thread (its error is in the log above; with no handler
     * set, Kafka Streams lets a failed thread die and stays RUNNING while another lives), or that takes over 10
     * minutes.
     */
    private static void check(String name, KafkaStreams streams, int threads, long deadline) {
        KafkaStreams.State state = streams.state();
        int alive = streams.metadataForLocalThreads().size();
        if (!state.isRunningOrRebalancing() || alive < threads) {
            throw new IllegalStateException("the " + name + " application failed during a benchmark run (" + state
                    + ", " + alive + " of " + threads + " stream threads left); its error is logged above");
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("benchmark run did not finish within 10 minutes");
        }
    }

    /**
     * The first {@code n} events of the file played again and again, each pass shifted after the previous one in
     * time: a MovieLens-100K pass lasts about a second through the trainer, too short to leave start-up out.
     */
    static List<Rating> replay(List<Rating> file, int n) {
        long span = span(file);
        List<Rating> out = new ArrayList<>(n);
        for (int pass = 0; !file.isEmpty() && out.size() < n; pass++) {
            List<Rating> shifted = shift(file, pass * span);
            out.addAll(shifted.subList(0, Math.min(shifted.size(), n - out.size())));
        }
        return out;
    }

    /** The time one pass of the events covers, in ms: the offset of the next pass. */
    private static long span(List<Rating> events) {
        return events.isEmpty()
                ? 0
                : events.get(events.size() - 1).timestamp() - events.get(0).timestamp() + 1;
    }

    /** Sends events (paced when rate > 0), recording each event's send time per user when {@code sent} is given. */
    private static void produce(
            String bootstrap, String topic, List<Rating> events, double rate, Map<String, ArrayDeque<Long>> sent) {
        try (InteractionProducer p = new InteractionProducer(
                Map.of(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic)) {
            p.sendAll(
                    events.iterator(),
                    Long.MAX_VALUE,
                    rate,
                    () -> Thread.currentThread().isInterrupted(),
                    r -> {
                        if (sent != null) {
                            ArrayDeque<Long> q = sent.computeIfAbsent(r.user(), u -> new ArrayDeque<>());
                            synchronized (q) {
                                q.add(System.currentTimeMillis());
                            }
                        }
                    });
        }
    }

    private List<Long> latencyRun(String bootstrap, SyntheticRatings gen) throws InterruptedException {
        // Fresh users, so that every row's update count is about this run only.
        List<Rating> events = new ArrayList<>(latencyEvents);
        for (Rating r : gen.take(latencyEvents)) {
            events.add(new Rating("lat-" + r.user(), r.item(), r.label(), r.timestamp()));
        }
        Map<String, ArrayDeque<Long>> sent = new ConcurrentHashMap<>();
        Map<String, Long> seen = new HashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + System.nanoTime());
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.MODEL_UPDATES));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.assignment().isEmpty() && System.nanoTime() < until) {
                c.poll(Duration.ofMillis(100));
            }
            Thread producer =
                    new Thread(() -> produce(bootstrap, Topics.INTERACTIONS, events, rate, sent), "bench-producer");
            producer.start();
            long deadline = System.nanoTime()
                    + Duration.ofSeconds((long) (latencyEvents / rate) + 60).toNanos();
            while (latencies.size() < latencyEvents && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
                    if (r.key() == null || !r.key().startsWith("user:lat-")) {
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    String user = r.key().substring(5);
                    long updates = updatesOf(r.value());
                    long before = seen.getOrDefault(user, 0L);
                    ArrayDeque<Long> q = sent.get(user);
                    if (q == null || updates <= before) {
                        continue;
                    }
                    synchronized (q) {
                        for (long k = before; k < updates && !q.isEmpty(); k++) {
                            latencies.add(now - q.poll());
                        }
                    }
                    seen.put(user, updates);
                }
            }
            producer.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted;
    }

    /** The events again, {@code offset} ms later. */
    static List<Rating> shift(List<Rating> events, long offset) {
        if (offset == 0) {
            return events;
        }
        List<Rating> out = new ArrayList<>(events.size());
        for (Rating r : events) {
            out.add(new Rating(r.user(), r.item(), r.label(), r.timestamp() + offset, r.weight()));
        }
        return out;
    }

    /**
     * Where the stream threads spent their time (Kafka Streams' own thread metrics), and records and bytes written
     * per topic since the previous call ({@code before} keeps the running totals); returns those bytes per topic.
     */
    private static Map<String, Double> printThreadRatios(KafkaStreams streams, Map<String, double[]> before) {
        StringBuilder sb = new StringBuilder("  thread time:");
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && name.name().endsWith("-ratio")) {
                sb.append(String.format(" %s=%.2f", name.name(), ((Number) metric.metricValue()).doubleValue()));
            }
        });
        System.err.println(sb);
        // Records written per topic over the run (all producers of the application): where the writes go.
        java.util.Map<String, Double> sent = new java.util.TreeMap<>();
        java.util.Map<String, Double> bytes = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-topic-metrics") && name.name().equals("record-send-total")) {
                sent.merge(
                        name.tags().getOrDefault("topic", "?"),
                        ((Number) metric.metricValue()).doubleValue(),
                        Double::sum);
            }
            if (name.group().equals("producer-topic-metrics") && name.name().equals("byte-total")) {
                bytes.merge(
                        name.tags().getOrDefault("topic", "?"),
                        ((Number) metric.metricValue()).doubleValue(),
                        Double::sum);
            }
        });
        StringBuilder w = new StringBuilder("  records (kB) sent:");
        Map<String, Double> written = new java.util.TreeMap<>();
        sent.forEach((topic, n) -> {
            double b = bytes.getOrDefault(topic, 0.0);
            double[] prev = before.getOrDefault(topic, new double[2]);
            w.append(String.format(" %s=%,.0f (%,.0f)", topic, n - prev[0], (b - prev[1]) / 1e3));
            written.put(topic, b - prev[1]);
            before.put(topic, new double[] {n, b});
        });
        System.err.println(w);
        return written;
    }

    /** Bytes written per topic by an application since the previous call ({@code before} keeps the totals). */
    private static Map<String, Double> bytesSent(KafkaStreams streams, Map<String, double[]> before) {
        Map<String, Double> written = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-topic-metrics") && name.name().equals("byte-total")) {
                written.merge(
                        name.tags().getOrDefault("topic", "?"),
                        ((Number) metric.metricValue()).doubleValue(),
                        Double::sum);
            }
        });
        Map<String, Double> delta = new java.util.TreeMap<>();
        written.forEach((topic, b) -> {
            double[] prev = before.getOrDefault(topic, new double[2]);
            delta.put(topic, b - prev[1]);
            before.put(topic, new double[] {0, b});
        });
        return delta;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long updatesOf(byte[] json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n.path("updates").asLong();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
