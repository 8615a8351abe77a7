package io.streamrec.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs a test needs from the machine. Under CI ({@code CI=true}, where {@code .ci/run} installs them) a missing
 * one fails the test; on a developer's machine the test is skipped with a message that says what to install.
 */
public final class ExternalTools {
    private ExternalTools() {}

    /** The executable {@code name} on the PATH, as an absolute path. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** {@link #find} or, when absent: fail under CI, skip elsewhere. */
    public static String require(String name, String install) {
        Optional<Path> p = find(name);
        if (p.isEmpty()) {
            missing(name + " is not installed (" + install + ")");
        }
        return p.get().toString();
    }

    /** Runs {@code command} (a probe such as {@code python3 -c "import x"}); when it fails: fail under CI, skip elsewhere. */
    public static void requireSuccess(List<String> command, String install) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                missing(String.join(" ", command) + " failed (" + install + "): " + out.strip());
            }
        } catch (IOException e) {
            missing(String.join(" ", command) + " cannot run (" + install + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Continues when {@code present}; otherwise fails under CI and skips elsewhere, with {@code message} (what is
     * missing and how to install it).
     */
    public static void requireThat(boolean present, String message) {
        if (!present) {
            missing(message);
        }
    }

    private static void missing(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + ": CI must install it");
        }
        Assumptions.abort(message + ": skipped");
    }
}
