package io.streamrec.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * What {@link EmbeddedKafka} and {@link BrokerProcess} share: the properties of a one-node KRaft
 * cluster (broker and controller in one process), storage formatting, the readiness probe and
 * temp-dir cleanup.
 *
 * <p>Everything that Kafka replicates three times by default (consumer offsets, transaction state,
 * share-group state) is set to one replica, so that consumer groups and {@code exactly_once_v2}
 * work on a single node.
 */
final class SingleNodeKRaft {
    static final String LOOPBACK = "127.0.0.1";

    private SingleNodeKRaft() {}

    /**
     * Broker properties for a single combined broker/controller node.
     *
     * @param extra overrides and additions, applied last (e.g. {@code num.partitions})
     */
    static Properties properties(int port, int controllerPort, Path logDir, Map<String, String> extra) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + port + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        extra.forEach(p::put);
        return p;
    }

    /** A formatted single-node broker's files: its temp dir, PLAINTEXT port, settings and settings file. */
    record Layout(Path dir, int port, Properties props, Path propsFile) {
        String bootstrapServers() {
            return LOOPBACK + ":" + port;
        }
    }

    /**
     * Creates a temp dir named {@code prefix}..., picks two free ports, writes the settings ({@code extra} over
     * the defaults) and formats the log dir: what both the in-process broker and the broker process start from.
     * On failure the dir is deleted again.
     */
    static Layout format(String prefix, Map<String, String> extra) {
        Path dir;
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for the broker", e);
        }
        try {
            int port = freePort();
            int controllerPort = freePort();
            Properties props = properties(port, controllerPort, dir.resolve("log"), extra);
            Path propsFile = dir.resolve("server.properties");
            write(props, propsFile);
            formatStorage(propsFile);
            return new Layout(dir, port, props, propsFile);
        } catch (RuntimeException e) {
            TempDirs.deleteRecursively(dir);
            throw e;
        }
    }

    /** Writes {@code props} to {@code file} (the format {@code kafka.Kafka} and StorageTool read). */
    static void write(Properties props, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "single-node KRaft broker written by streamrec");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write broker properties to " + file, e);
        }
    }

    /**
     * Formats the log dir named in {@code propsFile} as a standalone (single-voter) KRaft cluster.
     * Runs StorageTool in this JVM: {@code execute} returns a code instead of exiting.
     */
    static void formatStorage(Path propsFile) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(
                    new String[] {
                        "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString(), "--standalone"
                    },
                    out);
        }
        if (code != 0) {
            throw new IllegalStateException("kafka-storage format failed with exit code " + code + " for " + propsFile
                    + ": " + buffer.toString(StandardCharsets.UTF_8).strip());
        }
    }

    /** A loopback port that was free a moment ago (the broker binds it shortly after). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * Polls {@code describeCluster} until the broker answers or {@code timeout} passes.
     *
     * @param stillRunning checked between attempts, so a broker that died fails fast
     * @throws IllegalStateException if the broker did not answer in time or stopped running
     */
    static void awaitReady(String bootstrap, Duration timeout, BooleanSupplier stillRunning, String what) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        long deadline = System.nanoTime() + timeout.toNanos();
        // Wait for the port first: an Admin client logs a WARN line for every refused connection.
        awaitPort(bootstrap, deadline, stillRunning, what);
        Exception last = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!stillRunning.getAsBoolean()) {
                    throw new IllegalStateException(what + " stopped before it became ready");
                }
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes()
                            .get(3, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, e);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                    sleep(100);
                }
            }
        }
        throw new IllegalStateException(
                what + " at " + bootstrap + " did not answer describeCluster within " + timeout.toMillis() + " ms"
                        + (last == null ? "" : " (last error: " + last + ")"),
                last);
    }

    private static void awaitPort(String bootstrap, long deadline, BooleanSupplier stillRunning, String what) {
        int colon = bootstrap.lastIndexOf(':');
        InetSocketAddress address =
                new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
        while (System.nanoTime() < deadline) {
            if (!stillRunning.getAsBoolean()) {
                throw new IllegalStateException(what + " stopped before it became ready");
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, 500);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        // fall through: the describeCluster loop reports the timeout with its error
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
