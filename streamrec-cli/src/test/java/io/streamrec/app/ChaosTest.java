package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.kafka.BrokerProcess;
import io.streamrec.kafka.TopicReader;
import io.streamrec.stream.EventParser;
import io.streamrec.stream.Topics;
import io.streamrec.testsupport.ExternalTools;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under faults, for a Java and a librdkafka producer at once. A broker in its own JVM, the trainer as a
 * child JVM ({@code run}, default settings, 4 partitions), and two producers writing the same users' events: the
 * Java client (murmur2 partitioner) and Python's confluent_kafka (librdkafka's default partitioner: CRC32 of
 * the key), each with
 * some events unkeyed or keyed by something else, and malformed events throughout. Meanwhile the trainer is killed
 * with SIGKILL four times (twice with its state directory deleted), and the broker is stopped with SIGTERM once and
 * SIGKILL once and restarted over the same log directory.
 *
 * <p>At the end, per user, the {@code updates} of the published row equal that user's valid events in the input
 * topic; every published row's {@code version} and {@code updates} only grew, record after record; every malformed
 * record is in the dead-letter topic exactly once. The time from each fault to the next committed progress on the
 * input topic, and the longest time without committed progress after the last fault, are printed.
 */
@Tag("integration")
class ChaosTest {
    static final String APP = "chaos";
    static final int PARTITIONS = 4;
    /** At most this many valid events, alternately from each producer; they stop when the faults are over. */
    static final int EVENTS = 100_000;

    static final double EVENTS_PER_SECOND = 400;
    /** How long the trainer runs between the committed progress that ends one fault and the next fault. */
    static final Duration BETWEEN_FAULTS = Duration.ofSeconds(4);

    static final int MALFORMED_EVERY = 97;
    static final int UNKEYED_EVERY = 50;
    /** Committed progress must resume within this after any fault, and never stop for longer while input waits. */
    static final Duration STALL_BOUND = Duration.ofSeconds(60);

    @Test
    void shouldTrainEveryValidEventExactlyOnceThroughKillsAndBrokerRestartsWithJavaAndLibrdkafkaProducers(
            @TempDir Path work) throws Exception {
        // Debian's python3-confluent-kafka installs into the system interpreter, which a pyenv on the PATH hides.
        String python = Files.isExecutable(Path.of("/usr/bin/python3"))
                ? "/usr/bin/python3"
                : ExternalTools.require("python3", "apt-get install python3-confluent-kafka");
        Path script = work.resolve("librdkafka_producer.py");
        try (var in = ChaosTest.class.getResourceAsStream("librdkafka_producer.py")) {
            Files.copy(in, script);
        }
        ExternalTools.requireSuccess(
                List.of(python, "-c", "import confluent_kafka"), "apt-get install python3-confluent-kafka");
        List<Rating> ratings = StreamSupport.stream(
                        new SyntheticRatings(SyntheticRatings.Spec.explicit(1_500, 400, 8, 23)).spliterator(), false)
                .limit(EVENTS)
                .toList();
        try (BrokerProcess broker = new BrokerProcess().start()) {
            String bootstrap = broker.bootstrapServers();
            int width = StreamHarness.config(bootstrap, APP, work, PARTITIONS, 16)
                    .hyperparameters()
                    .width();
            Path state = work.resolve("state");
            int[] starts = {0};
            TrainerProcess[] trainer = {startTrainer(bootstrap, state, starts)};
            StreamHarness.await(
                    "the trainer created its topics",
                    Duration.ofSeconds(90),
                    () -> CommittedProgress.topicExists(bootstrap, Topics.INTERACTIONS));

            try (CommittedProgress progress = new CommittedProgress(bootstrap, APP, Topics.INTERACTIONS).start()) {
                long t0 = System.nanoTime();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong sent = new AtomicLong();
                AtomicLong javaFailed = new AtomicLong();
                AtomicReference<Exception> javaError = new AtomicReference<>();
                Thread javaProducer = new Thread(
                        () -> produceWithJava(bootstrap, ratings, t0, stop, sent, javaFailed, javaError),
                        "java-producer");
                Process rdProducer = new ProcessBuilder(python, script.toString(), bootstrap, Topics.INTERACTIONS)
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("librdkafka.log").toFile())
                        .start();
                Thread rdFeeder =
                        new Thread(() -> feedLibrdkafka(rdProducer, ratings, t0, stop, sent), "librdkafka-feeder");
                javaProducer.start();
                rdFeeder.start();

                List<Fault> faults = List.of(
                        new Fault(
                                "trainer SIGKILL, state kept",
                                () -> restartTrainer(trainer, bootstrap, state, starts, false)),
                        new Fault(
                                "trainer SIGKILL, state deleted",
                                () -> restartTrainer(trainer, bootstrap, state, starts, true)),
                        new Fault("broker SIGTERM", () -> {
                            broker.stop(false);
                            broker.restart();
                        }),
                        new Fault(
                                "trainer SIGKILL, state kept",
                                () -> restartTrainer(trainer, bootstrap, state, starts, false)),
                        new Fault("broker SIGKILL", () -> {
                            broker.stop(true);
                            broker.restart();
                        }),
                        new Fault(
                                "trainer SIGKILL, state deleted",
                                () -> restartTrainer(trainer, bootstrap, state, starts, true)));
                // Each fault strikes a trainer that is committing again: [fault, restarted, committing] per fault.
                List<long[]> faultTimes = new ArrayList<>();
                awaitProgress(progress, t0, t0, Duration.ofSeconds(120), "the first start");
                for (Fault f : faults) {
                    Thread.sleep(BETWEEN_FAULTS.toMillis());
                    long at = System.nanoTime();
                    System.out.printf("chaos: %s (%.1f s): %s%n", java.time.LocalTime.now(), (at - t0) / 1e9, f.name());
                    f.action().run();
                    long restarted = System.nanoTime();
                    long committing = awaitProgress(progress, at, restarted, STALL_BOUND, f.name());
                    faultTimes.add(new long[] {at, restarted, committing});
                }
                Thread.sleep(BETWEEN_FAULTS.toMillis());
                stop.set(true);
                javaProducer.join();
                rdFeeder.join();
                assertTrue(rdProducer.waitFor(360, TimeUnit.SECONDS), "the librdkafka producer finished");
                String rdLog = Files.readString(work.resolve("librdkafka.log"));
                JsonNode rdSummary = lastJsonLine(rdLog);
                long rdFailedValid = 0;
                for (JsonNode v : rdSummary.get("failed_values")) {
                    if (new EventParser(1, 5)
                            .parse(v.asText().getBytes(StandardCharsets.UTF_8), 0)
                            .ok()) {
                        rdFailedValid++;
                    }
                }
                if (rdSummary.get("failed").asLong() > 0) {
                    System.out.println("chaos: the librdkafka producer reported " + rdSummary.get("failed")
                            + " messages not " + "delivered: " + rdSummary.get("errors"));
                }

                Input input = Input.read(bootstrap);
                // A producer may fail to deliver through a broker crash and say so; the trainer owes exactly what is in
                // the topic, and the producers' own accounting must agree with it (no silent loss, no duplicate).
                long valid = input.validPerUser.values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
                assertEquals(
                        sent.get() - javaFailed.get() - rdFailedValid,
                        valid,
                        "the valid events in the topic are those "
                                + "sent less those the producers reported failed (Java " + javaFailed.get()
                                + ", first: "
                                + javaError.get() + "; librdkafka " + rdFailedValid + ")");
                if (javaFailed.get() > 0) {
                    System.out.println("chaos: the Java producer reported " + javaFailed.get()
                            + " events not delivered: " + javaError.get());
                }
                Map<String, byte[]> model =
                        StreamHarness.awaitUserUpdates(bootstrap, width, valid, Duration.ofSeconds(120));
                // The stall bound holds from the last fault, or from the operator's abort when a broker crash left a
                // transaction hanging: until someone aborts it no reader of that partition, the trainer included, can
                // make progress past it, however fast the trainer recovers.
                long stallFrom = faultTimes.get(faults.size() - 1)[2];
                if (StreamHarness.userUpdates(model, width) < valid) {
                    // What an operator does when a partition's last stable offset stops for good (see
                    // HangingTransactions).
                    List<String> aborted = HangingTransactions.abortOlderThan(bootstrap, Duration.ofSeconds(60));
                    System.out.println(
                            "chaos: the model stopped short of the input; hanging transactions aborted: " + aborted);
                    if (!aborted.isEmpty()) {
                        stallFrom = Math.max(stallFrom, System.nanoTime());
                    }
                    model = StreamHarness.awaitUserUpdates(bootstrap, width, valid, Duration.ofSeconds(120));
                }
                long caughtUp = System.nanoTime();

                report(faults, faultTimes, progress, caughtUp);
                Map<String, Long> published = StreamHarness.publishedUserUpdates(model, width);
                Map<String, Long> wrong = new TreeMap<>();
                for (String user : union(published.keySet(), input.validPerUser.keySet())) {
                    long want = input.validPerUser.getOrDefault(user, 0L);
                    long got = published.getOrDefault(user, 0L);
                    if (want != got) {
                        wrong.put(user, got - want);
                    }
                }
                assertEquals(
                        Map.of(), wrong, "per user, published updates minus valid events (" + wrong.size() + " users)");
                long rows = StreamHarness.assertNoRowWentBackwards(bootstrap, width);
                assertTrue(rows > 1_000, "model-updates holds the published history (" + rows + " rows)");
                assertEveryMalformedRecordDeadLetteredOnce(bootstrap, input);
                long stall = progress.longestStall(stallFrom, caughtUp);
                assertTrue(stall < STALL_BOUND.toNanos(), "longest stall after the last fault: " + stall / 1e9 + " s");
            } finally {
                trainer[0].close();
            }
        }
    }

    private record Fault(String name, Action action) {}

    /** The JSON summary the librdkafka producer prints last. */
    private static JsonNode lastJsonLine(String log) throws IOException {
        String[] lines = log.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("{"), "the librdkafka producer ended with its summary: " + log);
        return new ObjectMapper().readTree(last);
    }

    /** Waits for committed progress after {@code since}; fails the test when none comes within {@code bound} of {@code fault}. */
    private static long awaitProgress(CommittedProgress progress, long fault, long since, Duration bound, String what)
            throws InterruptedException {
        Duration left = bound.minusNanos(System.nanoTime() - fault);
        return Awaitility.await("committed progress within " + bound.toSeconds() + " s of " + what)
                .atMost(left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> progress.firstProgressAfter(since), resumed -> resumed >= 0);
    }

    private interface Action {
        void run() throws Exception;
    }

    private static TrainerProcess startTrainer(String bootstrap, Path state, int[] starts) throws IOException {
        starts[0]++;
        // The trainers' logs go where a failed run leaves them for reading: target/chaos-test.
        Path logs = Files.createDirectories(Path.of("target", "chaos-test"));
        return TrainerProcess.start(
                bootstrap,
                APP,
                state,
                logs.resolve("trainer-" + starts[0] + ".log"),
                "--partitions",
                String.valueOf(PARTITIONS),
                "--batch-size",
                "16");
    }

    private static void restartTrainer(
            TrainerProcess[] trainer, String bootstrap, Path state, int[] starts, boolean deleteState)
            throws Exception {
        trainer[0].killNine();
        if (deleteState) {
            io.streamrec.kafka.TempDirs.deleteRecursively(state);
        }
        trainer[0] = startTrainer(bootstrap, state, starts);
    }

    /** Even events; every {@link #UNKEYED_EVERY}th without key, every {@link #MALFORMED_EVERY}th followed by a bad one. */
    private static void produceWithJava(
            String bootstrap,
            List<Rating> ratings,
            long t0,
            AtomicBoolean stop,
            AtomicLong sent,
            AtomicLong failed,
            AtomicReference<Exception> firstError) {
        try (KafkaProducer<String, byte[]> p = StreamHarness.producer(bootstrap)) {
            for (int n = 0; n < ratings.size() && !stop.get(); n += 2) {
                pace(t0, n);
                Rating r = ratings.get(n);
                String key = n % UNKEYED_EVERY == 0 ? null : r.user();
                p.send(new ProducerRecord<>(Topics.INTERACTIONS, key, InteractionProducer.toJson(r)), (metadata, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e);
                    }
                });
                sent.incrementAndGet();
                if (n % MALFORMED_EVERY == 0) {
                    p.send(new ProducerRecord<>(
                            Topics.INTERACTIONS, r.user(), malformed(n).getBytes(StandardCharsets.UTF_8)));
                }
            }
            p.flush();
        }
    }

    /** Odd events as {@code key<TAB>value} lines; some keyed by another string, some without key. */
    private static void feedLibrdkafka(
            Process producer, List<Rating> ratings, long t0, AtomicBoolean stop, AtomicLong sent) {
        try (BufferedWriter w =
                new BufferedWriter(new OutputStreamWriter(producer.getOutputStream(), StandardCharsets.UTF_8))) {
            for (int n = 1; n < ratings.size() && !stop.get(); n += 2) {
                pace(t0, n);
                Rating r = ratings.get(n);
                String key = n % UNKEYED_EVERY == 1 ? "" : n % UNKEYED_EVERY == 3 ? "session-" + n : r.user();
                w.write(key + "\t" + new String(InteractionProducer.toJson(r), StandardCharsets.UTF_8) + "\n");
                sent.incrementAndGet();
                if (n % MALFORMED_EVERY == 1) {
                    w.write(r.user() + "\t" + malformed(n) + "\n");
                }
                if (n % 100 == 1) {
                    w.flush();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot feed the librdkafka producer", e);
        }
    }

    /** A malformed event, unique by {@code n}, of one of four kinds. */
    private static String malformed(int n) {
        return switch (n % 4) {
            case 0 -> "{not json " + n;
            case 1 -> "{\"item\":\"i1\",\"label\":3.0,\"n\":" + n + "}";
            case 2 -> "{\"user\":\"u1\",\"item\":\"i1\",\"label\":42.0,\"n\":" + n + "}";
            default -> "{\"user\":\"u1\",\"item\":\"i1\",\"label\":\"three\",\"n\":" + n + "}";
        };
    }

    private static void pace(long t0, int n) {
        long due = t0 + (long) (n / EVENTS_PER_SECOND * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            try {
                Thread.sleep(wait / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the input topic holds: valid events per user, and the coordinates of the malformed records. */
    private record Input(Map<String, Long> validPerUser, Set<String> malformed) {
        static Input read(String bootstrap) {
            EventParser parser = new EventParser(1, 5);
            Map<String, Long> perUser = new HashMap<>();
            Set<String> bad = new java.util.HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    TopicReader.readAll(bootstrap, Topics.INTERACTIONS, Duration.ofSeconds(60))) {
                EventParser.Result parsed = parser.parse(r.value(), r.timestamp());
                if (parsed.ok()) {
                    perUser.merge(parsed.event().user(), 1L, Long::sum);
                } else {
                    bad.add(r.partition() + "@" + r.offset());
                }
            }
            return new Input(perUser, bad);
        }
    }

    private static void assertEveryMalformedRecordDeadLetteredOnce(String bootstrap, Input input) {
        assertTrue(input.malformed().size() > 50, "malformed events were produced");
        Map<String, Long> dead = TopicReader.readAll(bootstrap, Topics.DLQ, Duration.ofSeconds(60)).stream()
                .collect(Collectors.groupingBy(
                        r -> header(r, "streamrec.dlq.partition") + "@" + header(r, "streamrec.dlq.offset"),
                        Collectors.counting()));
        assertEquals(
                input.malformed(), dead.keySet(), "the dead-letter topic holds exactly the malformed input records");
        assertEquals(
                Map.of(),
                dead.entrySet().stream()
                        .filter(e -> e.getValue() != 1)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                "each once");
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static void report(List<Fault> faults, List<long[]> times, CommittedProgress progress, long caughtUp) {
        StringBuilder sb = new StringBuilder("chaos recovery (fault -> next committed progress on the input topic):\n");
        for (int i = 0; i < faults.size(); i++) {
            long[] t = times.get(i);
            sb.append(String.format(
                    "  %-32s %5.1f s (the restart itself took %.1f s)%n",
                    faults.get(i).name(), (t[2] - t[0]) / 1e9, (t[1] - t[0]) / 1e9));
        }
        sb.append(String.format(
                "  longest stall after the last fault, until caught up: %.1f s%n",
                progress.longestStall(times.get(times.size() - 1)[2], caughtUp) / 1e9));
        System.out.print(sb);
    }
}
