package io.streamrec.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared data sets (system property {@code streamrec.datasets}). When absent, the calling test fails under
 * CI ({@code CI=true}) and is skipped elsewhere, as testkit's {@code ExternalTools} does for the modules that may
 * depend on it (core may not: the testkit brings the Kafka broker).
 */
public final class Datasets {

    public static final String PROPERTY = "streamrec.datasets";

    private Datasets() {}

    /** The file under the datasets directory, or skips the test with the reason. */
    public static Path require(String relative) {
        String root = System.getProperty(PROPERTY);
        requireThat(
                root != null && !root.isBlank(),
                "system property " + PROPERTY + " is not set, so " + relative + " cannot be found");
        Path p = Path.of(root).resolve(relative);
        requireThat(Files.isRegularFile(p), p + " is absent (MovieLens is not redistributed)");
        return p;
    }

    private static void requireThat(boolean present, String message) {
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(message + ": CI must provide it");
            }
            org.junit.jupiter.api.Assumptions.abort(message + ": skipped");
        }
    }
}
