package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.testsupport.ExternalTools;
import io.streamrec.testsupport.RepositoryFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Validates docker-compose.yml client-side; no Docker engine needed. */
@Tag("integration")
class ComposeConfigTest {
    @Test
    void shouldBeAValidComposeFile() throws Exception {
        String compose = ExternalTools.require("docker-compose", "apt-get install docker-compose");
        Process p = new ProcessBuilder(compose, "-f", "docker-compose.yml", "config", "-q")
                .directory(RepositoryFiles.root().toFile())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker-compose config finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void shouldFindEveryHostFileThatTheComposeFileMountsOrBuildsFrom() throws Exception {
        List<String> lines = Files.readAllLines(RepositoryFiles.resolve("docker-compose.yml"), StandardCharsets.UTF_8);
        List<String> hostFiles = new ArrayList<>();
        Pattern mount = Pattern.compile("^\\s*-\\s*\"?(\\./[^:\"]+):");
        for (String line : lines) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            Matcher m = mount.matcher(line);
            if (m.find()) {
                hostFiles.add(m.group(1));
            }
            if (line.strip().equals("build: .")) {
                hostFiles.add("./Dockerfile");
            }
        }
        assertTrue(
                hostFiles.contains("./prometheus/prometheus.yml") && hostFiles.contains("./Dockerfile"),
                "the scan finds the mounts and the build: " + hostFiles);
        for (String f : hostFiles) {
            assertTrue(
                    Files.exists(RepositoryFiles.resolve(f)),
                    "docker-compose.yml names " + f + ", which does not exist");
        }
    }
}
