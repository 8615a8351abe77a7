package io.streamrec.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's main command on a healthy run prints streamrec's own lines only: Kafka's and the broker's logs, retriable
 * WARN and ERROR lines included, go to a file whose path the demo prints. Runs the demo as its own JVM, as a user
 * does.
 */
@Tag("integration")
class DemoQuietTest {
    private static final Pattern LEVEL = Pattern.compile("\\b(WARN|ERROR)\\b");

    @Test
    void shouldPrintNoWarnOrErrorLineOnAHealthyRunAndSayWhereKafkasLogsAre(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo.out");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx768m",
                        "-Djava.io.tmpdir=" + dir,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.streamrec.cli.Main",
                        "demo",
                        "--events",
                        "3000",
                        "--http-port",
                        "0")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the demo ended");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        List<String> loud = lines.stream().filter(l -> LEVEL.matcher(l).find()).toList();
        assertEquals(List.of(), loud, "WARN or ERROR lines on the console of a healthy demo");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("{\"command\":\"demo\"")), "prints its summary: " + lines);
        Matcher m = Pattern.compile("logs: (\\S+\\.log)").matcher(String.join("\n", lines));
        assertTrue(m.find(), "the demo says where Kafka's logs are: " + lines);
        Path log = Path.of(m.group(1));
        assertTrue(Files.size(log) > 0, "and they are there: " + log);
        assertTrue(Files.readString(log).contains("INFO"), "Kafka's own lines went to the file");
        assertEquals(List.of(), directories(dir), "nothing left behind in the temp dir but the log");
    }

    @Test
    void shouldPrintItsSummaryAndLeaveNothingBehindWhenStoppedWithSigterm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo.out");
        Process p = demo(dir, out, "--http-port", "0");
        await("the demo's first progress line")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !p.isAlive() || Files.readString(out).contains("prequential RMSE"));
        p.destroy(); // SIGTERM, as Ctrl-C's SIGINT: both end the stream loop
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo ended");
        String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("{\"command\":\"demo\"")), "the summary: " + printed);
        assertEquals(List.of(), directories(dir), "nothing left behind in the temp dir but the log");
    }

    @Test
    void shouldLeaveNothingBehindWhenItFails(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.data");
        Files.writeString(bad, "1\t2\t3\t100\nnot a rating line\n");
        Path out = dir.resolve("demo.out");
        Process p = demo(dir, out, "--ratings", bad.toString(), "--http-port", "0");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo ended");
        assertEquals(1, p.exitValue(), Files.readString(out));
        assertEquals(List.of(), directories(dir), "nothing left behind in the temp dir but the log");
    }

    @Test
    void shouldFineTuneBprOnThePositivesAndPrintItsRecallNextToTheFrozenModels(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        long streamedPositives = 0;
        int n = 4000;
        for (int e = 0; e < n; e++) {
            int u = e % 60;
            int i = (e * 7 + u) % 90;
            int label = 1 + (u + i) % 5;
            if (e >= n / 2 && label >= 4) { // the demo pretrains on the earliest half by default
                streamedPositives++;
            }
            sb.append(u)
                    .append('\t')
                    .append(i)
                    .append('\t')
                    .append(label)
                    .append('\t')
                    .append(1000 + e)
                    .append('\n');
        }
        Path ratings = dir.resolve("u.data");
        Files.writeString(ratings, sb);
        Path out = dir.resolve("demo.out");
        Process p = demo(dir, out, "--ratings", ratings.toString(), "--positives", "4", "--http-port", "0");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the demo ended");
        String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), printed);
        assertTrue(printed.contains("pretraining fism"), printed);
        assertTrue(printed.contains("fine-tuned recall@10") && printed.contains("vs frozen pretrained model"), printed);
        String summary = printed.lines()
                .filter(l -> l.startsWith("{\"command\":\"demo\""))
                .findFirst()
                .orElseThrow();
        assertTrue(summary.contains("\"positives\":" + streamedPositives + ","), streamedPositives + " in " + summary);
        assertTrue(
                Pattern.compile("\"recall_at_10\":0\\.\\d+").matcher(summary).find()
                        && Pattern.compile("\"frozen_recall_at_10\":0\\.\\d+")
                                .matcher(summary)
                                .find(),
                summary);
    }

    private static Process demo(Path tmp, Path out, String... args) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                "io.streamrec.cli.Main",
                "demo"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }

    private static List<Path> directories(Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).toList();
        }
    }
}
