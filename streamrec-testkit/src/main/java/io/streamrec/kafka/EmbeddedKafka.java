package io.streamrec.kafka;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller in one node) running inside this JVM,
 * for the {@code demo} command, integration tests and benchmarks.
 *
 * <p>It listens on free loopback ports and keeps its log in a fresh temp dir that {@link #close()} deletes.
 * Transactions work ({@code exactly_once_v2}): the transaction state log and the offsets topic have one
 * replica and one partition.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka(Map.of("num.partitions", "4")).start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Use {@link BrokerProcess} instead when the broker must outlive a process that a test kills.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** How long {@link #start()} waits for the broker to answer; startup normally takes 2-4 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> extraProperties;
    private final Duration startTimeout;
    private Path dir;
    private KafkaRaftServer server;
    private String bootstrapServers;

    /** A broker with the default single-node settings. */
    public EmbeddedKafka() {
        this(Map.of());
    }

    /**
     * @param brokerProperties extra broker settings applied over the defaults, e.g. {@code num.partitions}
     */
    public EmbeddedKafka(Map<String, String> brokerProperties) {
        this(brokerProperties, DEFAULT_START_TIMEOUT);
    }

    public EmbeddedKafka(Map<String, String> brokerProperties, Duration startTimeout) {
        this.extraProperties = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
        this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
    }

    /**
     * Formats storage, starts the broker and returns once it answers {@code describeCluster}.
     *
     * @return this, for try-with-resources
     * @throws IllegalStateException if already started, or if the broker does not come up in time
     */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            throw new IllegalStateException("EmbeddedKafka already started at " + bootstrapServers);
        }
        SingleNodeKRaft.Layout layout = SingleNodeKRaft.format("streamrec-kafka-", extraProperties);
        dir = layout.dir();
        try {
            server = newServer(layout.props());
            server.startup();
            bootstrapServers = layout.bootstrapServers();
            SingleNodeKRaft.awaitReady(bootstrapServers, startTimeout, () -> true, "embedded Kafka broker");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * {@code new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM)}, written reflectively:
     * KafkaConfig's superclass lives in {@code kafka-server}, which {@code kafka_2.13} puts on the runtime
     * class path only, so naming KafkaConfig in source does not compile without another pom dependency.
     */
    private static KafkaRaftServer newServer(Properties props) {
        try {
            Class<?> configClass = Class.forName("kafka.server.KafkaConfig");
            Object config = configClass
                    .getMethod("fromProps", Properties.class, boolean.class)
                    .invoke(null, props, false);
            return KafkaRaftServer.class.getConstructor(configClass, Time.class).newInstance(config, Time.SYSTEM);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("cannot create the Kafka broker: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the kafka_2.13 broker API changed: " + e, e);
        }
    }

    /** {@code host:port} of the PLAINTEXT listener. */
    public synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("EmbeddedKafka not started");
        }
        return bootstrapServers;
    }

    /** The temp dir holding the broker's properties and log ({@code log/}); deleted by {@link #close()}. */
    public synchronized Path directory() {
        if (dir == null) {
            throw new IllegalStateException("EmbeddedKafka not started");
        }
        return dir;
    }

    /** Stops the broker, waits for it to finish, and deletes its temp dir. Safe to call twice. */
    @Override
    public synchronized void close() {
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } finally {
            server = null;
            bootstrapServers = null;
            TempDirs.deleteRecursively(dir);
        }
    }
}
