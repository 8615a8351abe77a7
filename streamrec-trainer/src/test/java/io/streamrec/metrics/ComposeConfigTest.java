package io.streamrec.metrics;

import io.streamrec.testsupport.RepositoryFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validates docker-compose.yml client-side; no Docker engine needed. */
class ComposeConfigTest {
    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldBeAValidComposeFile() throws Exception {
        Assumptions.assumeTrue(onPath("docker-compose"),
                "docker-compose not installed (apt-get install docker-compose): compose validation skipped");
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
                .directory(RepositoryFiles.root().toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker-compose config finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void shouldMountTheFilesItNames() {
        for (String f : new String[] {"Dockerfile", "prometheus/prometheus.yml", "grafana/provisioning/datasources/prometheus.yml",
                "grafana/provisioning/dashboards/streamrec.yml", "grafana/dashboards/streamrec.json"}) {
            assertTrue(Files.isRegularFile(RepositoryFiles.resolve(f)), f);
        }
    }
}
