package io.streamrec.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared data sets (system property {@code streamrec.datasets}); skips the calling test when absent. */
public final class Datasets {

    public static final String PROPERTY = "streamrec.datasets";

    private Datasets() {}

    /** The file under the datasets directory, or skips the test with the reason. */
    public static Path require(String relative) {
        String root = System.getProperty(PROPERTY);
        ExternalTools.requireThat(
                root != null && !root.isBlank(),
                "system property " + PROPERTY + " is not set, so " + relative + " cannot be found");
        Path p = Path.of(root).resolve(relative);
        ExternalTools.requireThat(Files.isRegularFile(p), p + " is absent (MovieLens is not redistributed)");
        return p;
    }
}
