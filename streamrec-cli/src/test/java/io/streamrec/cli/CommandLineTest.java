package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.EmbeddedKafkaExtension;
import io.streamrec.kafka.KafkaTestBroker;
import io.streamrec.kafka.TopicReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's contract: help, exit codes, messages naming the problem, and the closing JSON line. */
@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class CommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path ratings() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < 3000; e++) {
            int u = e % 50;
            int i = (e * 7) % 80;
            sb.append(u)
                    .append('\t')
                    .append(i)
                    .append('\t')
                    .append(1 + (u + i) % 5)
                    .append('\t')
                    .append(1000 + e)
                    .append('\n');
        }
        Path f = dir.resolve("u.data");
        Files.writeString(f, sb);
        return f;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "demo",
                "run",
                "produce",
                "evaluate",
                "pretrain",
                "bench-core",
                "bench-stream",
                "bench-topk",
                "recommend"
            })
    void shouldShowHelpForEveryCommandAndExitZero(String command) {
        CliRun r = run(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("Usage: streamrec " + command), "out was: [" + r.out() + "] err: [" + r.err() + "]");
        assertFalse(r.err().contains("WARN"), "picocli could not format a description (a lone % in it?): " + r.err());
    }

    @Test
    void demoShouldRefusePositivesWithoutRatingsOrWithAnAttackNamingTheOptions() throws Exception {
        CliRun alone = run("demo", "--positives", "4");
        assertEquals(2, alone.code());
        assertTrue(alone.err().contains("--positives needs --ratings"), alone.err());
        CliRun attacked = run("demo", "--ratings", ratings().toString(), "--positives", "4", "--attack", "flip");
        assertEquals(2, attacked.code());
        assertTrue(attacked.err().contains("--attack"), attacked.err());
        CliRun bench = run(
                "bench-stream", "--ratings", ratings().toString(), "-D", "model.kind=bpr", "-D", "model.positives=4");
        assertEquals(2, bench.code(), "a round would wait for events below the threshold, never trained");
        assertTrue(bench.err().contains("model.positives must be at most the lowest label"), bench.err());
    }

    /** A short {@code bench-stream} on the test file: 20,000 events a round, one warm-up round, 100 latency events. */
    private CliRun benchStream(int rounds, String... settings) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                "bench-stream",
                "--ratings",
                ratings().toString(),
                "--events",
                "20000",
                "--rounds",
                String.valueOf(rounds),
                "--warmup",
                "1",
                "--latency-events",
                "100"));
        args.addAll(List.of(settings));
        return run(args.toArray(String[]::new));
    }

    @Test
    void benchStreamShouldReportBothRatiosAndTheBytesPerEvent() throws Exception {
        CliRun r = benchStream(2);
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(2, j.get("round_ratios").size(), j.toString());
        double pass = j.get("passthrough_cpu_us_per_event").asDouble();
        double train = j.get("training_cpu_us_per_event").asDouble();
        assertTrue(pass > 0 && train > 0, j.toString());
        assertTrue(j.get("ratio").asDouble() > 0, j.toString());
        // Rounds of 20,000 events are too short to compare the two applications; here only that it was measured.
        double cpuRatio = j.get("cpu_ratio").asDouble();
        assertTrue(cpuRatio > 0 && Double.isFinite(cpuRatio), j.toString());
        for (String share : List.of("passthrough_jit_share", "training_jit_share")) {
            double v = j.get(share).asDouble(-1);
            assertTrue(v >= 0 && v < 1, share + " " + j);
        }
        assertTrue(j.get("training_bytes_per_event").get("item-gradients").asDouble() > 0, j.toString());
        assertEquals(100, j.get("latency_samples").asInt(), j.toString());
    }

    @Test
    void benchStreamShouldExitNonZeroAtOnceWhenTheTrainerFails() throws Exception {
        // Records of item gradients above the producer's limit: the training application's stream threads fail.
        CliRun r = benchStream(1, "-D", "producer.max.request.size=5000");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("the training application failed during a benchmark run"), r.err());
    }

    @Test
    void shouldExitTwoWithTheUsageOnStderrWhenNoCommandIsGiven() {
        CliRun r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Usage: streamrec"), r.err());
        assertEquals("", r.out(), "nothing on stdout: a script piping it gets no partial output");
    }

    @Test
    void shouldSuggestTheNearestCommandOrOptionForATypo() throws Exception {
        CliRun command = run("evalute");
        assertEquals(2, command.code());
        assertTrue(command.err().contains("Did you mean") && command.err().contains("evaluate"), command.err());
        CliRun option = run("evaluate", "--ratings", ratings().toString(), "--factorz", "8");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("--factors"), option.err());
    }

    @Test
    void shouldExitTwoNamingTheOptionForABadValue() throws Exception {
        CliRun r = run("evaluate", "--ratings", ratings().toString(), "--order", "random");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--order must be time or file"), r.err());

        CliRun b = run("evaluate", "--ratings", ratings().toString(), "--optimizer", "rmsprop");
        assertEquals(2, b.code());
        assertTrue(b.err().contains("optimizer must be one of sgd, row-adagrad, adagrad, adam"), b.err());

        CliRun missing = run("pretrain", "--ratings", ratings().toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--out"), missing.err());

        Path out = dir.resolve("never.srm");
        CliRun threads = run("pretrain", "--ratings", ratings().toString(), "--out", out.toString(), "--threads", "0");
        assertEquals(2, threads.code());
        assertTrue(threads.err().contains("--threads must be in 1..256"), threads.err());
        CliRun serial = run(
                "pretrain",
                "--ratings",
                ratings().toString(),
                "--out",
                out.toString(),
                "--algorithm",
                "sgd",
                "--threads",
                "2");
        assertEquals(2, serial.code());
        assertTrue(serial.err().contains("--threads applies to --algorithm fpsg only"), serial.err());
        CliRun adam =
                run("pretrain", "--ratings", ratings().toString(), "--out", out.toString(), "--optimizer", "adam");
        assertEquals(2, adam.code());
        assertTrue(adam.err().contains("use --algorithm sgd"), adam.err());
    }

    @Test
    void shouldExitOneWithFileAndLineForABadLineAndNoStackTrace() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,x,4\n");
        CliRun r = run("evaluate", "--ratings", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.csv:3: rating \"x\" is not a number"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());

        CliRun skipped = run("evaluate", "--ratings", f.toString(), "--skip-invalid");
        assertEquals(0, skipped.code(), skipped.err());
        assertEquals(1, skipped.lastJson().get("events").asLong());
    }

    @Test
    void shouldEndEvaluateAndPretrainWithTheDocumentedJsonAndFineTuneFromTheSnapshot() throws Exception {
        Path data = ratings();
        Path curve = dir.resolve("curve.csv");
        CliRun e = run("evaluate", "--ratings", data.toString(), "--curve", curve.toString(), "--curve-every", "500");
        assertEquals(0, e.code(), e.err());
        JsonNode j = e.lastJson();
        for (String field : List.of("events", "rmse", "mae", "seconds", "events_per_second")) {
            assertTrue(j.has(field), field + " in " + j);
        }
        assertEquals(3000, j.get("events").asLong());
        assertTrue(j.get("rmse").asDouble() > 0 && j.get("rmse").asDouble() < 2, j.toString());
        List<String> lines = Files.readAllLines(curve);
        assertEquals("events,window_rmse,window_mae,rmse,mae", lines.get(0));
        assertEquals(1 + 6, lines.size(), "a point every 500 of 3000 events");

        Path snapshot = dir.resolve("m.srm");
        CliRun p = run("pretrain", "--ratings", data.toString(), "--out", snapshot.toString(), "--epochs", "5");
        assertEquals(0, p.code(), p.err());
        JsonNode pj = p.lastJson();
        for (String field : List.of("train", "test", "rmse", "mae", "seconds")) {
            assertTrue(pj.has(field), field + " in " + pj);
        }
        assertEquals(2400, pj.get("train").asLong());
        assertEquals(600, pj.get("test").asLong());
        double setup = pj.get("setup_seconds").asDouble();
        double epochs = pj.get("epoch_seconds").asDouble();
        assertTrue(
                setup > 0 && epochs > 0 && setup + epochs <= pj.get("seconds").asDouble(), pj.toString());
        assertEquals(2400.0 * 5 / epochs, pj.get("updates_per_epoch_second").asDouble(), 1e-3 * 2400 * 5 / epochs);
        assertTrue(Files.size(snapshot) > 0);

        CliRun tuned = run("evaluate", "--ratings", data.toString(), "--init-model", snapshot.toString());
        assertEquals(0, tuned.code(), tuned.err());
        assertTrue(
                tuned.lastJson().get("rmse").asDouble() < j.get("rmse").asDouble(),
                "starting from a model pretrained on (most of) these events must beat starting cold");
    }

    @Test
    void shouldPretrainAndFineTuneWithTheUserScaleAndRefuseToMixModelsWithAndWithout() throws Exception {
        Path data = ratings();
        Path snapshot = dir.resolve("scaled.srm");
        CliRun p = run(
                "pretrain",
                "--ratings",
                data.toString(),
                "--out",
                snapshot.toString(),
                "--epochs",
                "5",
                "--user-scale");
        assertEquals(0, p.code(), p.err());
        CliRun tuned =
                run("evaluate", "--ratings", data.toString(), "--init-model", snapshot.toString(), "--user-scale");
        assertEquals(0, tuned.code(), tuned.err());
        CliRun mixed = run("evaluate", "--ratings", data.toString(), "--init-model", snapshot.toString());
        assertEquals(1, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("user-scale"), mixed.err());
        CliRun als = run(
                "pretrain",
                "--ratings",
                data.toString(),
                "--out",
                dir.resolve("als.srm").toString(),
                "--algorithm",
                "als",
                "--user-scale");
        assertTrue(als.code() != 0 && als.err().contains("not supported by als"), als.err());
    }

    @Test
    void evaluateShouldAddTheResidualNeighbourhoodToBiasedMfOnlyAndSayItDid() throws Exception {
        Path data = ratings();
        CliRun with = run("evaluate", "--ratings", data.toString(), "--user-scale", "--neighbourhood");
        assertEquals(0, with.code(), with.err());
        assertTrue(with.lastJson().get("neighbourhood").asBoolean(), with.out());
        assertTrue(Double.isFinite(with.lastJson().get("rmse").asDouble()), with.out());
        CliRun without = run("evaluate", "--ratings", data.toString(), "--user-scale");
        assertTrue(without.lastJson().get("neighbourhood") == null, without.out());

        CliRun logistic = run("evaluate", "--ratings", data.toString(), "--model", "bpr", "--neighbourhood");
        assertEquals(2, logistic.code(), logistic.err());
        assertTrue(logistic.err().contains("--neighbourhood") && logistic.err().contains("biased-mf"), logistic.err());
    }

    @Test
    void shouldRefuseAForeignSnapshotWithAClearMessage() throws Exception {
        Path notASnapshot = dir.resolve("x.srm");
        Files.writeString(notASnapshot, "hello");
        CliRun r = run("evaluate", "--ratings", ratings().toString(), "--init-model", notASnapshot.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a streamrec snapshot"), r.err());
    }

    /** A loopback port nothing listens on: bound, then released. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldExitOneWhenEventsAreNotDelivered() throws Exception {
        long start = System.nanoTime();
        CliRun r = run(
                "produce",
                "--bootstrap-servers",
                "127.0.0.1:" + closedPort(),
                "--synthetic",
                "--events",
                "10",
                "--property",
                "max.block.ms=1000",
                "--property",
                "delivery.timeout.ms=2000");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(1, j.get("events").asLong(), "sending stops at the first failure: " + j);
        assertEquals(0, j.get("delivered").asLong(), j.toString());
        assertEquals(1, j.get("failed").asLong(), j.toString());
        assertTrue(
                r.err()
                        .contains(
                                "error: 1 of 1 events were not delivered: Topic interactions not present in metadata after 1000 ms"),
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(seconds < 30, "an unreachable cluster fails in bounded time, took " + seconds + " s");
    }

    @Test
    void shouldCountEveryEventDeliveredAndExitZeroWhenTheClusterAcknowledgesThem(KafkaTestBroker kafka)
            throws Exception {
        String topic = "produce-" + UUID.randomUUID().toString().substring(0, 8);
        CliRun r = run(
                "produce",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--synthetic",
                "--events",
                "300");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(300, j.get("events").asLong(), j.toString());
        assertEquals(300, j.get("delivered").asLong(), j.toString());
        assertEquals(0, j.get("failed").asLong(), j.toString());
        assertEquals(
                300,
                TopicReader.readAll(kafka.bootstrapServers(), topic, Duration.ofSeconds(30))
                        .size());
    }

    @Test
    void shouldExitTwoNamingAnInvalidProducerProperty() throws Exception {
        CliRun r = run(
                "produce",
                "--bootstrap-servers",
                "127.0.0.1:" + closedPort(),
                "--synthetic",
                "--events",
                "1",
                "--property",
                "max.block.ms=soon");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--property (-D): Invalid value soon for configuration max.block.ms"), r.err());
        CliRun d = run(
                "produce",
                "--bootstrap-servers",
                "127.0.0.1:" + closedPort(),
                "--synthetic",
                "--events",
                "1",
                "-D",
                "max.block.ms=soon");
        assertEquals(2, d.code(), "-D is the same option in every command: " + d.err());
    }
}
