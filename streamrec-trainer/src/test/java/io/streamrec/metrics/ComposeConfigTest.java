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

    private static String file(String name) throws Exception {
        return Files.readString(RepositoryFiles.resolve(name), StandardCharsets.UTF_8);
    }

    private static String pomProperty(String pom, String property) {
        Matcher m =
                Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), "pom.xml has " + property);
        return m.group(1).strip();
    }

    @Test
    void shouldPinEveryImageToARelease() throws Exception {
        List<String> images = new ArrayList<>();
        Matcher image = Pattern.compile("(?m)^\\s*image:\\s*(\\S+)\\s*$").matcher(file("docker-compose.yml"));
        while (image.find()) {
            images.add(image.group(1));
        }
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(file("Dockerfile"));
        while (from.find()) {
            images.add(from.group(1));
        }
        assertTrue(images.size() >= 7, "five services and two build stages: " + images);
        for (String i : images) {
            // A release has major.minor.patch (e.g. 4.4.0, v2.55.1, 17.0.13_11-jre); "latest", "17-jre" float.
            assertTrue(
                    i.matches("[^:]+:v?\\d+\\.\\d+\\.\\d+[-_.\\w]*"),
                    () -> i + " is not pinned to a release (major.minor.patch)");
        }
    }

    @Test
    void shouldRunTheBrokerOfTheClientsKafkaVersionAndTagTheTrainerWithTheProjectVersion() throws Exception {
        String pom = file("pom.xml");
        String compose = file("docker-compose.yml");
        String kafka = pomProperty(pom, "kafka.version");
        assertTrue(compose.contains("image: apache/kafka:" + kafka + "\n"), "the broker runs Kafka " + kafka);
        // The root pom has no parent: its first <version> is the project's.
        String version = pomProperty(pom, "version");
        assertEquals(
                2,
                compose.split(Pattern.quote("image: streamrec:" + version + "\n"), -1).length - 1,
                "trainer and producer run the image of project version " + version);
    }

    @Test
    void shouldKeepDataInNamedVolumesAndGiveTheTrainerTimeToLeaveItsGroup() throws Exception {
        String compose = file("docker-compose.yml");
        for (String mount : List.of(
                "kafka-data:/var/lib/kafka/data", "prometheus-data:/prometheus", "grafana-data:/var/lib/grafana")) {
            assertTrue(compose.contains("- " + mount + "\n"), "volume mount " + mount);
            String volume = mount.substring(0, mount.indexOf(':'));
            assertTrue(compose.contains("\n  " + volume + ":\n"), "named volume " + volume + " declared");
        }
        assertTrue(compose.contains("KAFKA_LOG_DIRS: /var/lib/kafka/data"), "the broker writes into its volume");
        Matcher grace = Pattern.compile("stop_grace_period:\\s*(\\d+)s").matcher(compose);
        assertTrue(grace.find(), "the trainer has a stop grace period");
        // TrainerApp.close gives Kafka Streams 30 s to close and leave the group, then closes HTTP and clients.
        assertTrue(Integer.parseInt(grace.group(1)) > 30, "grace period over the trainer's 30 s close");
    }

    @Test
    void shouldStartTheImageWithStreamrecSoCommandsAreItsCommandLine() throws Exception {
        String dockerfile = file("Dockerfile");
        assertTrue(
                dockerfile.contains(
                        "ENTRYPOINT [\"java\", \"--add-modules\", \"jdk.incubator.vector\", \"-jar\", \"/app/streamrec.jar\"]"),
                "exec-form ENTRYPOINT: java is PID 1 and gets SIGTERM");
        Matcher command = Pattern.compile("(?m)^\\s*command:\\s*(\\w+)").matcher(file("docker-compose.yml"));
        List<String> commands = new ArrayList<>();
        while (command.find()) {
            commands.add(command.group(1));
        }
        assertEquals(List.of("run", "produce"), commands, "the services' commands are streamrec commands");
    }
}
