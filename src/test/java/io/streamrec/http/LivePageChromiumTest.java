package io.streamrec.http;

import io.micrometer.core.instrument.MockClock;
import io.streamrec.metrics.StatsHistory;
import io.streamrec.metrics.TrainerMetrics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live page rendered by headless Chromium: its charts hold the history's points. Screenshot in target/test-artifacts. */
class LivePageChromiumTest {
    static final int SAMPLES = 60;

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

    /** A history of SAMPLES points with a falling error and growing model, as a training run makes. */
    private static StatsHistory history() {
        TrainerMetrics metrics = new TrainerMetrics(1_000, new MockClock());
        long[] now = {1_700_000_000_000L};
        StatsHistory history = new StatsHistory(metrics, 2_000, 600, () -> now[0]);
        Random random = new Random(7);
        for (int s = 0; s < SAMPLES; s++) {
            int events = 800 + random.nextInt(400);
            for (int i = 0; i < events; i++) {
                double label = 1 + random.nextInt(5);
                metrics.prequential(label, label + random.nextGaussian() * (0.9 + 1.2 / (1 + s / 8.0)));
                metrics.eventTrained();
            }
            metrics.modelRows("user", 0, Math.min(943, 40L * (s + 1)));
            metrics.modelRows("item", 0, Math.min(1682, 60L * (s + 1)));
            metrics.modelVersion(2L * metrics.eventsTrained());
            history.sample();
            now[0] += 2_000;
        }
        return history;
    }

    private static String run(Path chromium, Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=8000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
    void shouldDrawEveryChartFromTheHistory(@TempDir Path profile) throws Exception {
        Optional<Path> chromium = chromium();
        Assumptions.assumeTrue(chromium.isPresent(), "chromium not installed (apt-get install chromium): live page test skipped");
        StatsHistory history = history();
        try (HttpApi api = HttpApi.builder().bind("127.0.0.1", 0).health(() -> "RUNNING").stats(history::view).start()) {
            String url = "http://127.0.0.1:" + api.port() + "/";
            String dom = run(chromium.get(), profile.resolve("dom"), "--dump-dom", url);

            assertEquals(SAMPLES, attribute(dom, "c-learning", "data-points-rmse"), "an RMSE point per sample");
            assertEquals(SAMPLES, attribute(dom, "c-learning", "data-points-mae"));
            assertEquals(SAMPLES - 1, attribute(dom, "c-throughput", "data-points"), "a rate needs two samples");
            assertEquals(2 * SAMPLES, attribute(dom, "c-size", "data-points"));
            assertTrue(dom.contains("<path"), "lines are drawn");
            Matcher trained = Pattern.compile("id=\"f-trained\">([^<]+)<").matcher(dom);
            assertTrue(trained.find() && !trained.group(1).equals("–"), "current figures are filled in");

            Path shot = Path.of("target", "test-artifacts", "live-page.png").toAbsolutePath();
            Files.createDirectories(shot.getParent());
            Files.deleteIfExists(shot);
            run(chromium.get(), profile.resolve("shot"), "--window-size=1280,1000", "--screenshot=" + shot, url);
            assertTrue(Files.size(shot) > 10_000, "screenshot written");
        }
    }
}
