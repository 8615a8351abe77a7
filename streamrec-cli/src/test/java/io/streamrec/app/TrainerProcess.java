package io.streamrec.app;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamrec run} as a child JVM of the test, so that a test can {@code kill -9} the trainer while the broker
 * and the test live on. Its output goes to a log file of the caller's choice.
 */
final class TrainerProcess implements AutoCloseable {
    private final Process process;

    private TrainerProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code run} against {@code bootstrap} with HTTP on an ephemeral loopback port, then {@code extra} flags. */
    static TrainerProcess start(String bootstrap, String applicationId, Path stateDir, Path log, String... extra)
            throws IOException {
        return new TrainerProcess(new ProcessBuilder(command(bootstrap, applicationId, stateDir, extra))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start());
    }

    /** As {@link #start(String, String, Path, Path, String...)}, with stdout and stderr in files of their own. */
    static TrainerProcess start(
            String bootstrap, String applicationId, Path stateDir, Path out, Path err, String... extra)
            throws IOException {
        return new TrainerProcess(new ProcessBuilder(command(bootstrap, applicationId, stateDir, extra))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start());
    }

    private static List<String> command(String bootstrap, String applicationId, Path stateDir, String... extra) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        // -Dstreamrec.test.trainer.log4j=FILE gives the child a log config of one's own, to see Kafka's INFO lines.
        String log4j = System.getProperty("streamrec.test.trainer.log4j");
        if (log4j != null) {
            cmd.add("-Dlog4j2.configurationFile=" + log4j);
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.streamrec.cli.Main",
                "run",
                "--bootstrap-servers",
                bootstrap,
                "--application-id",
                applicationId,
                "--http-port",
                "0",
                "--http-bind",
                "127.0.0.1",
                "-D",
                "state.dir=" + stateDir));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    /** SIGTERM, what a container runtime sends to stop it; the shutdown hook runs. */
    void sigterm() {
        process.destroy();
    }

    /** Waits for the process to end; false on timeout. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, open transactions stay open, the group is not left. */
    void killNine() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then SIGKILL if it has not ended within a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
