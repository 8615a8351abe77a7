package io.streamrec.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.testsupport.ExternalTools;
import io.streamrec.testsupport.RunningTrainer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page of the real trainer ({@link RunningTrainer}: TrainerApp on an in-process broker) rendered by
 * headless Chromium: its charts hold the history's points, and the publication gate's state and live vs reference
 * RMSE are shown. Screenshot in target/test-artifacts/live-page.png.
 */
@Tag("integration")
class LivePageChromiumTest {
    /** History points (one per 2 s) to wait for before the page is loaded. */
    static final int MIN_SAMPLES = 5;

    private static Optional<Path> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String run(Path chromium, Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=8000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        return out;
    }

    private static int attribute(String dom, String svgId, String attribute) {
        Matcher tag = Pattern.compile("<svg[^>]*\\bid=\"" + svgId + "\"[^>]*>").matcher(dom);
        assertTrue(tag.find(), () -> "no svg " + svgId);
        Matcher a = Pattern.compile("\\b" + attribute + "=\"(\\d+)\"").matcher(tag.group());
        assertTrue(a.find(), () -> svgId + " has no " + attribute + ": " + tag.group());
        return Integer.parseInt(a.group(1));
    }

    @Test
    void shouldDrawEveryChartFromTheRunningTrainersHistory(@TempDir Path profile) throws Exception {
        Optional<Path> chromium = chromium();
        ExternalTools.requireThat(chromium.isPresent(), "chromium not installed (apt-get install chromium)");
        try (RunningTrainer trainer = RunningTrainer.start("streamrec-live-page-test", 1_000)) {
            // The history samples every 2 s: wait for MIN_SAMPLES points with an error figure.
            int scored = await("history points with an RMSE")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> scoredPoints(trainer.get("/api/stats")), n -> n >= MIN_SAMPLES);
            // RunningTrainer runs with the gate on: wait until a partition's gate has judged its window.
            await("a gate with live and reference RMSE")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> judgedGates(trainer.get("/api/gate")), n -> n >= 1);
            String url = trainer.baseUrl() + "/";
            String dom = run(chromium.get(), profile.resolve("dom"), "--dump-dom", url);

            // The page loads after the count above, so it may hold a point or two more, never fewer.
            int rmse = attribute(dom, "c-learning", "data-points-rmse");
            assertTrue(
                    rmse >= scored && rmse <= scored + 10,
                    "an RMSE point per scored sample: " + rmse + " vs " + scored);
            assertEquals(rmse, attribute(dom, "c-learning", "data-points-mae"), "an MAE point with every RMSE point");
            assertTrue(attribute(dom, "c-throughput", "data-points") >= scored - 1, "a rate per pair of samples");
            assertTrue(attribute(dom, "c-size", "data-points") >= 2 * scored, "user and item rows per sample");
            assertTrue(dom.contains("<path"), "lines are drawn");
            Matcher trained = Pattern.compile("id=\"f-trained\">([^<]+)<").matcher(dom);
            assertTrue(trained.find() && !trained.group(1).equals("–"), "current figures are filled in");

            Matcher gate = Pattern.compile("id=\"f-gate\"[^>]*>([^<]+)<").matcher(dom);
            assertTrue(
                    gate.find()
                            && (gate.group(1).equals("open") || gate.group(1).startsWith("closed")),
                    "the gate's state is shown");
            Matcher gateRmse =
                    Pattern.compile("id=\"f-gate-rmse\">([0-9.]+)/([0-9.]+)<").matcher(dom);
            assertTrue(gateRmse.find(), "live and reference RMSE are shown");
            assertTrue(
                    Pattern.compile("id=\"f-gate-quarantined\">[0-9,]+<")
                            .matcher(dom)
                            .find(),
                    "the quarantined events are counted");
            assertTrue(attribute(dom, "c-gate", "data-points-live") >= 1, "the gate chart has a live point");
            assertEquals(
                    attribute(dom, "c-gate", "data-points-live"),
                    attribute(dom, "c-gate", "data-points-reference"),
                    "a reference point with every live point");

            Path shot = Path.of("target", "test-artifacts", "live-page.png").toAbsolutePath();
            Files.createDirectories(shot.getParent());
            Files.deleteIfExists(shot);
            run(chromium.get(), profile.resolve("shot"), "--window-size=1280,1000", "--screenshot=" + shot, url);
            assertTrue(Files.size(shot) > 10_000, "screenshot written");
        }
    }

    /** Partitions of /api/gate with a live RMSE. */
    private static int judgedGates(String gate) throws Exception {
        int n = 0;
        for (JsonNode p : new ObjectMapper().readTree(gate).path("partitions")) {
            if (p.path("liveRmse").isNumber()) {
                n++;
            }
        }
        return n;
    }

    /** Points of /api/stats that carry an RMSE. */
    private static int scoredPoints(String stats) throws Exception {
        int n = 0;
        for (JsonNode p : new ObjectMapper().readTree(stats).path("points")) {
            if (p.path("rmse").isNumber()) {
                n++;
            }
        }
        return n;
    }
}
