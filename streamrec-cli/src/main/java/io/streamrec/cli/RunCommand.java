package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.app.TrainerApp;
import io.streamrec.metrics.TrainerMetrics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: the stream trainer against any Kafka cluster, until SIGTERM or Ctrl-C (see {@link StopSignal}). */
@Command(
        name = "run",
        header = "Runs the stream trainer against a Kafka cluster.",
        mixinStandardHelpOptions = true,
        description = "Runs the stream trainer against a Kafka cluster. Settings: --config file, then STREAMREC_* "
                + "environment variables (STREAMREC_TRAIN_BATCH_SIZE sets train.batch.size), then flags. Unknown "
                + "settings pass through to Kafka (SASL, SSL, num.stream.threads, ...). On SIGTERM or Ctrl-C it closes "
                + "(leaving the group), prints a JSON line with the events trained and rejected since it started and "
                + "the seconds it ran, and exits 0 (1 when Kafka Streams failed). A second signal stops it at once.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers (bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings.")
    Path configFile;

    @Option(
            names = "--application-id",
            paramLabel = "ID",
            description = "Kafka Streams application.id. Default: streamrec.")
    String applicationId;

    @Option(
            names = "--init-model",
            paramLabel = "SNAPSHOT",
            description = "Seed a new application id from a pretrained snapshot.")
    Path initModel;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "Events per user mini-batch (train.batch.size). Default: 32.")
    Integer batchSize;

    @Option(
            names = "--flush-interval-ms",
            paramLabel = "MS",
            description = "Flush at least this often (flush.interval.ms). Default: 200.")
    Integer flushIntervalMs;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "Partitions of topics created at start (topic.partitions). Default: 4.")
    Integer partitions;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description = "HTTP port for /metrics, /health and the live page (http.port). Default: 8080.")
    Integer httpPort;

    @Option(
            names = "--http-bind",
            paramLabel = "ADDR",
            description = "HTTP bind address (http.bind). Default: 0.0.0.0.")
    String httpBind;

    @Option(
            names = "--print-config",
            description = "Print the effective configuration (streamrec's settings and what "
                    + "Kafka Streams is given, defaults included, secrets hidden) as one JSON line, and exit.")
    boolean printConfig;

    @Option(
            names = {"-D", "--set"},
            paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. -D model.factors=64; repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        TrainerConfig config = config(spec, configFile, System.getenv(), flags());
        if (printConfig) {
            ObjectNode o = Json.object();
            o.put("command", "run");
            ObjectNode settings = o.putObject("config");
            config.effectiveSettings().forEach(settings::put);
            System.out.println(o);
            return 0;
        }
        long start = System.nanoTime();
        try (StopSignal stop = StopSignal.install()) {
            TrainerApp app = TrainerApp.start(config, TrainerListener.NONE, true);
            KafkaStreams.State last;
            try {
                // Polled, not a state listener: KafkaStreams accepts a listener only before start(), and
                // TrainerApp.start has already started it (setting one here failed every `run` at once).
                while (!stop.await(500, TimeUnit.MILLISECONDS) && app.streams().state() != KafkaStreams.State.ERROR) {
                    // waiting for SIGTERM, Ctrl-C or a failure
                }
                last = app.streams().state();
            } finally {
                app.close();
            }
            // Read after close, so that what the tasks did while closing is counted too.
            TrainerMetrics counts = app.metrics().listener();
            ObjectNode o = Json.object();
            o.put("command", "run");
            o.put("events", counts.eventsTrained());
            o.put("rejected", counts.eventsRejected());
            Json.put(o, "seconds", (System.nanoTime() - start) / 1e9);
            o.put("stopped_by", last == KafkaStreams.State.ERROR ? "error" : stop.received());
            System.out.println(o);
            if (last == KafkaStreams.State.ERROR) {
                System.err.println("error: Kafka Streams failed (state ERROR); see the log above");
                return 1;
            }
            return 0;
        }
    }

    private Map<String, String> flags() {
        Map<String, String> f = new HashMap<>(settings);
        put(f, TrainerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        put(f, TrainerConfig.APPLICATION_ID, applicationId);
        put(f, TrainerConfig.INIT_MODEL, initModel);
        put(f, TrainerConfig.BATCH_SIZE, batchSize);
        put(f, TrainerConfig.FLUSH_INTERVAL_MS, flushIntervalMs);
        put(f, TrainerConfig.PARTITIONS, partitions);
        put(f, TrainerConfig.HTTP_PORT, httpPort);
        put(f, TrainerConfig.HTTP_BIND, httpBind);
        return f;
    }

    private static void put(Map<String, String> m, String k, Object v) {
        if (v != null) {
            m.put(k, v.toString());
        }
    }

    /** Loads the config, reporting a bad setting as a usage error that names it. */
    static TrainerConfig config(CommandSpec spec, Path file, Map<String, String> env, Map<String, String> flags) {
        try {
            return TrainerConfig.load(file, env, flags);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }
}
