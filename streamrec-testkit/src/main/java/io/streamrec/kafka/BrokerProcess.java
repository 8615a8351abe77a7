package io.streamrec.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The same single-node KRaft broker as {@link EmbeddedKafka}, run as a separate JVM
 * ({@code java -cp <this JVM's class path> kafka.Kafka server.properties}).
 *
 * <p>Use it when the broker must live on while a test {@code kill -9}s an application process, or
 * simply to keep the broker's threads and heap out of the JVM under test. Storage is formatted
 * in this JVM first (StorageTool), the child's output goes to {@code broker.log} in the temp dir, and
 * {@link #close()} stops the child and deletes the temp dir. The child logs at WARN through a log4j2
 * config written next to its properties.
 *
 * <p>A shutdown hook destroys the child if this JVM exits without closing it; a {@code kill -9} of
 * this JVM leaves the child running (the JDK offers no way to prevent that).
 */
public final class BrokerProcess implements AutoCloseable {
    /** How long {@link #start()} waits for the child broker to answer; it normally takes 3-6 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    /** Heap for the child JVM unless the JVM options say otherwise. */
    public static final String DEFAULT_HEAP = "-Xmx512m";

    private static final String LOG4J2_CONFIG = String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level %logger{1} - %msg%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = out",
            "");

    private final Map<String, String> extraProperties;
    private final List<String> jvmOptions;
    private final Duration startTimeout;
    private Path dir;
    private Path propsFile;
    private Process process;
    private Thread shutdownHook;
    private String bootstrapServers;

    /** A broker with the default single-node settings and a 512 MiB heap. */
    public BrokerProcess() {
        this(Map.of());
    }

    /** @param brokerProperties extra broker settings applied over the defaults, e.g. {@code num.partitions} */
    public BrokerProcess(Map<String, String> brokerProperties) {
        this(brokerProperties, List.of(DEFAULT_HEAP), DEFAULT_START_TIMEOUT);
    }

    /**
     * @param brokerProperties extra broker settings applied over the defaults
     * @param jvmOptions options for the child JVM, e.g. {@code -Xmx1g}
     * @param startTimeout how long {@link #start()} waits for the broker to answer
     */
    public BrokerProcess(Map<String, String> brokerProperties, List<String> jvmOptions, Duration startTimeout) {
        this.extraProperties = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
        this.jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
        this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
    }

    /**
     * Formats storage, launches the broker JVM and returns once it answers {@code describeCluster}.
     *
     * @return this, for try-with-resources
     * @throws IllegalStateException if already started, or if the broker exits or does not answer in time
     *     (the message carries the tail of {@code broker.log})
     */
    public synchronized BrokerProcess start() {
        if (dir != null) {
            throw new IllegalStateException("BrokerProcess already started at " + bootstrapServers);
        }
        SingleNodeKRaft.Layout layout = SingleNodeKRaft.format("streamrec-broker-", extraProperties);
        dir = layout.dir();
        propsFile = layout.propsFile();
        bootstrapServers = layout.bootstrapServers();
        try {
            Files.writeString(dir.resolve("log4j2.properties"), LOG4J2_CONFIG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot write the broker's log config: " + e.getMessage(), e);
        }
        launch();
        return this;
    }

    /**
     * Stops the broker JVM and keeps its log directory, as a crash or a maintenance stop of a real broker would:
     * {@code force} sends SIGKILL, otherwise SIGTERM (a controlled shutdown, SIGKILL after 30 s).
     */
    public synchronized void stop(boolean force) {
        if (process == null) {
            throw new IllegalStateException("BrokerProcess not running");
        }
        try {
            if (force) {
                process.destroyForcibly();
            } else {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
        shutdownHook = null;
        process = null;
    }

    /** Starts the broker JVM again over the same log directory and ports, after {@link #stop}. */
    public synchronized BrokerProcess restart() {
        if (dir == null || process != null) {
            throw new IllegalStateException("restart() follows start() and stop()");
        }
        launch();
        return this;
    }

    private void launch() {
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-Dlog4j2.configurationFile="
                    + dir.resolve("log4j2.properties").toUri());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("kafka.Kafka");
            command.add(propsFile.toString());
            // log4j writes to stdout; stderr joins it so a JVM that fails before logging starts still says why.
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
            Process child = process;
            shutdownHook = new Thread(child::destroyForcibly, "streamrec-broker-reaper");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            SingleNodeKRaft.awaitReady(bootstrapServers, startTimeout, child::isAlive, "broker process " + child.pid());
        } catch (IOException e) {
            String tail = logTail();
            close();
            throw new UncheckedIOException("cannot start the broker process: " + e.getMessage() + tail, e);
        } catch (RuntimeException e) {
            String tail = logTail();
            close();
            throw new IllegalStateException(e.getMessage() + tail, e);
        }
    }

    /** {@code host:port} of the PLAINTEXT listener. */
    public synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("BrokerProcess not started");
        }
        return bootstrapServers;
    }

    /** The broker JVM's process id. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("BrokerProcess not started");
        }
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The temp dir with {@code server.properties}, {@code log/}, {@code broker.log}; deleted by {@link #close()}. */
    public synchronized Path directory() {
        if (dir == null) {
            throw new IllegalStateException("BrokerProcess not started");
        }
        return dir;
    }

    /** The broker JVM's stdout and stderr: log4j output at WARN and above. */
    public synchronized Path logFile() {
        return directory().resolve("broker.log");
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 15 s), and deletes its temp dir. Safe to call twice. */
    @Override
    public synchronized void close() {
        try {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook is running or about to; nothing to undo
                }
            }
            shutdownHook = null;
            process = null;
            bootstrapServers = null;
            TempDirs.deleteRecursively(dir);
            dir = null;
        }
    }

    private String logTail() {
        if (dir == null) {
            return "";
        }
        Path file = dir.resolve("broker.log");
        try {
            if (!Files.exists(file)) {
                return "";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 30), lines.size());
            return last.isEmpty() ? "" : "\n--- last lines of broker.log ---\n" + String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "\n(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
