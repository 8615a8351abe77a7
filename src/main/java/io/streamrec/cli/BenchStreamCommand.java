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
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.Topics;
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
 *   <li>Throughput: the same pre-produced events through a passthrough topology (parse and forward only, the
 *       ceiling) and through the training topology, each under exactly-once, timed from start to the last event
 *       trained; their ratio.</li>
 *   <li>Latency: a paced stream through the trainer while a read_committed consumer follows
 *       {@code model-updates}; an event's latency runs from its send to the first committed user row whose
 *       {@code updates} count includes it.</li>
 * </ol>
 */
@Command(name = "bench-stream", header = "Benchmark: the training topology against a passthrough, and its latency.", mixinStandardHelpOptions = true,
        description = {"Measures the training topology against an in-process broker: events/s vs a passthrough",
                "topology, their ratio, and event-to-model-update latency p50/p99. The last stdout line is JSON."})
public final class BenchStreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", description = "Events for the throughput runs (at most the file's). Default: 200000.")
    int events = 200_000;

    @Option(names = "--ratings", paramLabel = "FILE",
            description = "Replay this ratings file in timestamp order for the throughput runs, instead of synthetic events.")
    Path ratings;

    @Option(names = "--latency-events", paramLabel = "N", description = "Events for the latency run. Default: 20000.")
    int latencyEvents = 20_000;

    @Option(names = "--rate", paramLabel = "EVENTS/S", description = "Pace of the latency run. Default: 2000.")
    double rate = 2000;

    @Option(names = "--partitions", paramLabel = "N", description = "Topic partitions. Default: 2.")
    int partitions = 2;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any trainer or Kafka Streams setting for both topologies; repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--rounds", paramLabel = "N", description = "Measured throughput rounds of each topology; medians are reported. Default: 3.")
    int rounds = 3;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up rounds of each topology before the measured ones (JIT). Default: 1.")
    int warmup = 1;

    @Option(names = "--threads", paramLabel = "N", description = "Kafka Streams threads of both topologies. Default: 2 (the trainer's default).")
    int threads = 2;

    @Option(names = "--batch-size", paramLabel = "B", description = "Trainer batch.size. Default: the trainer's default.")
    Integer batchSize;

    @Option(names = "--flush-interval-ms", paramLabel = "MS", description = "Trainer flush.interval.ms. Default: the trainer's default.")
    Integer flushIntervalMs;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || latencyEvents < 1 || rate <= 0 || partitions < 1 || rounds < 1 || threads < 1 || warmup < 0) {
            throw Cli.usage(spec, "--events, --latency-events, --partitions, --rounds, --threads must be >= 1 and --rate > 0");
        }
        SyntheticRatings gen = new SyntheticRatings(SyntheticRatings.Spec.explicit(10_000, 2_000, 8, 42));
        List<Rating> sample;
        if (ratings != null) {
            List<Rating> all = io.streamrec.data.RatingReader.sortByTime(io.streamrec.data.RatingReader.readAll(ratings));
            sample = all.subList(0, Math.min(events, all.size()));
            events = sample.size();
        } else {
            sample = gen.take(events);
        }
        Path work = Files.createTempDirectory("streamrec-bench");
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                TopicAdmin.ensureTopics(admin, List.of(new NewTopic(PassthroughTopology.OUTPUT, partitions, (short) 1),
                        new NewTopic(Topics.INTERACTIONS, partitions, (short) 1)));
            }
            produce(bootstrap, sample, 0, null);
            System.err.printf("produced %,d events%n", events);
            // Alternate the two topologies, each on its own application id, and keep the median of each: on a
            // shared 2-core machine single runs vary by tens of percent. Later training rounds find the rows the
            // earlier ones left in model-updates, as a restarted deployment would.
            double[] passRates = new double[warmup + rounds];
            double[] trainRates = new double[warmup + rounds];
            TrainerApp app = null;
            for (int round = 0; round < warmup + rounds; round++) {
                System.err.printf("round %d: passthrough ...%n", round + 1);
                TrainerConfig passCfg = config(bootstrap, "bench-pass-" + round, work);
                LongAdder processed = new LongAdder();
                try (KafkaStreams pass = new KafkaStreams(PassthroughTopology.build(passCfg, processed), passCfg.streamsProperties())) {
                    passRates[round] = events / timeUntil(pass::start, processed::sum, () -> processed.sum() >= events);
                }
                System.err.printf("round %d: training ...%n", round + 1);
                TrainerConfig trainCfg = config(bootstrap, "bench-train-" + round, work);
                PrequentialTotals totals = new PrequentialTotals();
                TrainerApp[] started = new TrainerApp[1];
                trainRates[round] = events / timeUntil(() -> {
                    try {
                        started[0] = TrainerApp.start(trainCfg, totals, false);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, totals::events, () -> totals.events() >= events);
                printThreadRatios(started[0].streams());
                if (round < warmup + rounds - 1) {
                    started[0].close();
                } else {
                    app = started[0];
                }
                System.err.printf("round %d%s: passthrough %,.0f events/s, training %,.0f events/s%n",
                        round + 1, round < warmup ? " (warm-up)" : "", passRates[round], trainRates[round]);
            }
            TrainerConfig trainCfg = app.config();
            System.err.println("latency run ...");
            List<Long> latencies = latencyRun(bootstrap, gen);
            app.close();
            double passRate = median(java.util.Arrays.copyOfRange(passRates, warmup, warmup + rounds));
            double trainRate = median(java.util.Arrays.copyOfRange(trainRates, warmup, warmup + rounds));
            ObjectNode o = Json.object();
            o.put("command", "bench-stream");
            o.put("events", events);
            o.put("source", ratings == null ? "synthetic" : ratings.getFileName().toString());
            o.put("partitions", partitions);
            o.put("threads", threads);
            o.put("rounds", rounds);
            o.put("warmup_rounds", warmup);
            o.put("batch_size", trainCfg.batchSize());
            o.put("flush_interval_ms", trainCfg.flushIntervalMs());
            Json.put(o, "passthrough_events_per_second", passRate);
            Json.put(o, "training_events_per_second", trainRate);
            Json.put(o, "ratio", trainRate / passRate);
            o.put("latency_samples", latencies.size());
            Json.put(o, "latency_p50_ms", percentile(latencies, 0.50));
            Json.put(o, "latency_p99_ms", percentile(latencies, 0.99));
            Json.put(o, "latency_max_ms", latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
            System.out.println(o);
        }
        return 0;
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
     * Starts a run and times it from its first processed event to the moment {@code done} holds, so that start-up
     * and the first rebalance are not counted.
     */
    private static double timeUntil(Runnable start, java.util.function.LongSupplier processed,
                                    java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        start.run();
        while (processed.getAsLong() == 0) {
            check(deadline);
            Thread.sleep(1);
        }
        long t0 = System.nanoTime();
        while (!done.getAsBoolean()) {
            check(deadline);
            Thread.sleep(2);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void check(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("benchmark run did not finish within 10 minutes");
        }
    }

    /** Sends events (paced when rate > 0), recording each event's send time per user when {@code sent} is given. */
    private static void produce(String bootstrap, List<Rating> events, double rate, Map<String, ArrayDeque<Long>> sent) {
        try (InteractionProducer p = new InteractionProducer(bootstrap)) {
            p.sendAll(events.iterator(), Long.MAX_VALUE, rate, () -> Thread.currentThread().isInterrupted(), r -> {
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
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.MODEL_UPDATES));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.assignment().isEmpty() && System.nanoTime() < until) {
                c.poll(Duration.ofMillis(100));
            }
            Thread producer = new Thread(() -> produce(bootstrap, events, rate, sent), "bench-producer");
            producer.start();
            long deadline = System.nanoTime() + Duration.ofSeconds((long) (latencyEvents / rate) + 60).toNanos();
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

    /** Where the stream threads spent their time (Kafka Streams' own thread metrics). */
    private static void printThreadRatios(KafkaStreams streams) {
        StringBuilder sb = new StringBuilder("  thread time:");
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && name.name().endsWith("-ratio")) {
                sb.append(String.format(" %s=%.2f", name.name(), ((Number) metric.metricValue()).doubleValue()));
            }
        });
        System.err.println(sb);
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
