package io.streamrec.stream;

import io.streamrec.learn.HyperparameterOverrides;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.model.ModelKind;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one validated configuration of the stream trainer. Settings come from, in rising precedence: defaults, a
 * properties file ({@code --config}), environment variables {@code STREAMREC_*} ({@code STREAMREC_BATCH_SIZE}
 * sets {@code train.batch.size}), and command-line flags. Settings this class does not know are Kafka client or Kafka
 * Streams settings and pass through unchanged (SASL, SSL, {@code num.stream.threads}, ...).
 */
public final class TrainerConfig {
    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    /** Events per user mini-batch. Not {@code batch.size}: that is the Kafka producer's setting of the same name. */
    public static final String BATCH_SIZE = "train.batch.size";

    public static final String FLUSH_INTERVAL_MS = "flush.interval.ms";
    public static final String ITEM_BATCH_SIZE = "item.batch.size";
    public static final String USER_CACHE_ROWS = "user.cache.rows";
    public static final String PARTITIONS = "topic.partitions";
    public static final String REPLICATION = "topic.replication.factor";
    public static final String INIT_MODEL = "init.model";
    public static final String MODEL_KIND = "model.kind";
    public static final String FACTORS = "model.factors";
    public static final String OPTIMIZER = "model.optimizer";
    public static final String LEARNING_RATE = "model.learning.rate";
    public static final String SCHEDULE = "model.schedule";
    public static final String SCHEDULE_POWER = "model.schedule.power";
    public static final String SCHEDULE_SCALE = "model.schedule.scale";
    public static final String REG_BIAS = "model.reg.bias";
    public static final String REG_FACTORS = "model.reg.factors";
    public static final String CLIP_NORM = "model.clip.norm";
    public static final String INIT_STD = "model.init.std";
    public static final String SEED = "model.seed";
    public static final String MIN_LABEL = "model.min.label";
    public static final String MAX_LABEL = "model.max.label";
    /** Events labeled at least this are positives (see {@code io.streamrec.data.Positives}); unset: labels as they are. */
    public static final String POSITIVES = "model.positives";
    /** Negatives sampled per positive by the positives-only models. */
    public static final String NEGATIVES = "model.negatives";

    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_BIND = "http.bind";
    /** Longest time without processed input, while input waits, before the instance reports itself not ready. */
    public static final String READINESS_MAX_STALL_MS = "readiness.max.stall.ms";
    /** Smallest {@link #READINESS_MAX_STALL_MS}: below a second, an ordinary commit or poll would read as a stall. */
    public static final int MIN_READINESS_MAX_STALL_MS = 1000;

    private static final Set<String> OWN = Set.of(
            BATCH_SIZE,
            FLUSH_INTERVAL_MS,
            ITEM_BATCH_SIZE,
            USER_CACHE_ROWS,
            PARTITIONS,
            REPLICATION,
            INIT_MODEL,
            MODEL_KIND,
            FACTORS,
            OPTIMIZER,
            LEARNING_RATE,
            SCHEDULE,
            SCHEDULE_POWER,
            SCHEDULE_SCALE,
            REG_BIAS,
            REG_FACTORS,
            CLIP_NORM,
            INIT_STD,
            SEED,
            MIN_LABEL,
            MAX_LABEL,
            POSITIVES,
            NEGATIVES,
            HTTP_PORT,
            HTTP_BIND,
            READINESS_MAX_STALL_MS);

    /** Old names that still work for one release, with a warning naming the new key. */
    private static final Map<String, String> RENAMED = Map.of("batch.size", BATCH_SIZE);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainerConfig.class);

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(APPLICATION_ID, "streamrec"),
            Map.entry(BATCH_SIZE, "32"),
            Map.entry(FLUSH_INTERVAL_MS, "100"),
            Map.entry(ITEM_BATCH_SIZE, "5000"),
            Map.entry(USER_CACHE_ROWS, "1000000"),
            Map.entry(PARTITIONS, "4"),
            Map.entry(REPLICATION, "1"),
            Map.entry(MODEL_KIND, "biased-mf"),
            Map.entry(HTTP_PORT, "8080"),
            Map.entry(HTTP_BIND, "0.0.0.0"),
            Map.entry(READINESS_MAX_STALL_MS, "30000"),
            Map.entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));

    private final Map<String, String> values;

    private TrainerConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        validate();
    }

    /** Builds a config from the sources in rising precedence; {@code file} and {@code env} may be null. */
    public static TrainerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> put(v, k, p.getProperty(k).trim()));
        }
        if (env != null) {
            env.forEach((k, val) -> {
                if (k.startsWith("STREAMREC_") && k.length() > 10) {
                    put(v, k.substring(10).toLowerCase(Locale.ROOT).replace('_', '.'), val);
                }
            });
        }
        if (flags != null) {
            flags.forEach((k, val) -> {
                if (val != null) {
                    put(v, k, val);
                }
            });
        }
        return new TrainerConfig(v);
    }

    /**
     * Every setting in effect, sorted: streamrec's own (defaults included) and what Kafka Streams is given (derived
     * defaults included), with the values of secrets hidden: any key Kafka declares as a password, under any client
     * prefix, and any key naming a password, secret, token or JAAS config.
     */
    public java.util.SortedMap<String, String> effectiveSettings() {
        java.util.SortedMap<String, String> m = new java.util.TreeMap<>(values);
        streamsProperties().forEach((k, v) -> m.put(k.toString(), v.toString()));
        m.replaceAll((k, v) -> isSecret(k) ? "[hidden]" : v);
        return m;
    }

    private static final Set<String> PASSWORDS = passwordKeys();

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        String bare = k;
        for (String prefix : new String[] {
            "main.consumer.", "restore.consumer.", "global.consumer.", "consumer.", "producer.", "admin."
        }) {
            if (k.startsWith(prefix)) {
                bare = k.substring(prefix.length());
                break;
            }
        }
        return PASSWORDS.contains(k)
                || PASSWORDS.contains(bare)
                || k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.endsWith("jaas.config")
                || k.endsWith("user.info");
    }

    private static Set<String> passwordKeys() {
        Set<String> keys = new java.util.HashSet<>();
        for (org.apache.kafka.common.config.ConfigDef def : java.util.List.of(
                ProducerConfig.configDef(),
                ConsumerConfig.configDef(),
                org.apache.kafka.clients.admin.AdminClientConfig.configDef(),
                StreamsConfig.configDef())) {
            def.configKeys().forEach((name, key) -> {
                if (key.type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD) {
                    keys.add(name);
                }
            });
        }
        return Set.copyOf(keys);
    }

    /** streamrec's own settings, which never reach Kafka's clients. */
    public static Set<String> ownKeys() {
        return OWN;
    }

    /** Sets {@code key}, or the new name of a renamed key, with a warning that names the new one. */
    private static void put(Map<String, String> v, String key, String value) {
        String renamed = RENAMED.get(key);
        if (renamed != null) {
            LOG.warn(
                    "setting '{}' is deprecated and will be removed in the next release: use '{}' (the old name is "
                            + "also a Kafka producer setting)",
                    key,
                    renamed);
            v.put(renamed, value);
        } else {
            v.put(key, value);
        }
    }

    /** A config from explicit settings over the defaults (tests, demo). */
    public static TrainerConfig of(Map<String, String> settings) {
        return load(null, null, settings);
    }

    public TrainerConfig with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        put(v, key, value);
        return new TrainerConfig(v);
    }

    private void validate() {
        if (!values.containsKey(BOOTSTRAP_SERVERS)
                || values.get(BOOTSTRAP_SERVERS).isBlank()) {
            throw new IllegalArgumentException(
                    BOOTSTRAP_SERVERS
                            + " is required: host:port[,host:port] of the Kafka brokers (flag --bootstrap-servers, env STREAMREC_BOOTSTRAP_SERVERS)");
        }
        positiveInt(BATCH_SIZE);
        positiveInt(FLUSH_INTERVAL_MS);
        positiveInt(ITEM_BATCH_SIZE);
        positiveInt(USER_CACHE_ROWS);
        positiveInt(PARTITIONS);
        positiveInt(REPLICATION);
        int port = integer(HTTP_PORT);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(HTTP_PORT + " must be in 0..65535 (0 = any free port), got " + port);
        }
        int stall = integer(READINESS_MAX_STALL_MS);
        if (stall < MIN_READINESS_MAX_STALL_MS) {
            throw new IllegalArgumentException(READINESS_MAX_STALL_MS + " must be >= " + MIN_READINESS_MAX_STALL_MS
                    + " (milliseconds without processed input, while input waits, before the instance is not ready), got "
                    + stall);
        }
        String pg = values.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!pg.equals(StreamsConfig.EXACTLY_ONCE_V2) && !pg.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new IllegalArgumentException(StreamsConfig.PROCESSING_GUARANTEE_CONFIG + " must be "
                    + StreamsConfig.EXACTLY_ONCE_V2 + " or " + StreamsConfig.AT_LEAST_ONCE + ", got \"" + pg + "\"");
        }
        hyperparameters();
        positives();
        negatives();
    }

    /**
     * The positives threshold of {@link #POSITIVES}, or null when unset: an event labeled at least this is learned
     * as label 1, one below it as 0 ({@code logistic-mf}) or not at all (the positives-only models).
     */
    public Float positives() {
        if (!values.containsKey(POSITIVES)) {
            return null;
        }
        float min = (float) dbl(POSITIVES, Double.NEGATIVE_INFINITY);
        if (!Float.isFinite(min)) {
            throw new IllegalArgumentException(POSITIVES + " must be a finite label, got " + values.get(POSITIVES));
        }
        if (hyperparameters().kind() == ModelKind.BIASED_MF) {
            throw new IllegalArgumentException(POSITIVES + " turns labels into positives for the 0/1 models"
                    + " (logistic-mf, bpr, implicit-logistic, popularity); biased-mf learns the ratings themselves");
        }
        return min;
    }

    /** Negatives per positive ({@link #NEGATIVES}): by default 1 for bpr and 4 for implicit-logistic. */
    public int negatives() {
        ModelKind kind = hyperparameters().kind();
        if (!values.containsKey(NEGATIVES)) {
            return ImplicitLearner.defaultNegatives(kind);
        }
        int n = integer(NEGATIVES);
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException(NEGATIVES + " must be in 1..1000, got " + n);
        }
        return n;
    }

    public String get(String key) {
        return values.get(key);
    }

    public String applicationId() {
        return values.get(APPLICATION_ID);
    }

    public String bootstrapServers() {
        return values.get(BOOTSTRAP_SERVERS);
    }

    public int batchSize() {
        return integer(BATCH_SIZE);
    }

    public long flushIntervalMs() {
        return integer(FLUSH_INTERVAL_MS);
    }

    public int itemBatchSize() {
        return integer(ITEM_BATCH_SIZE);
    }

    /** Most user rows a user task keeps in memory. */
    public int userCacheRows() {
        return integer(USER_CACHE_ROWS);
    }

    public int partitions() {
        return integer(PARTITIONS);
    }

    public short replicationFactor() {
        return (short) integer(REPLICATION);
    }

    public int httpPort() {
        return integer(HTTP_PORT);
    }

    public String httpBind() {
        return values.get(HTTP_BIND);
    }

    /** Longest stall, in milliseconds, that readiness tolerates while input waits (and longest REBALANCING). */
    public long readinessMaxStallMs() {
        return integer(READINESS_MAX_STALL_MS);
    }

    /** The snapshot to seed a new application id with, or null. */
    public Path initModel() {
        String s = values.get(INIT_MODEL);
        return s == null || s.isBlank() ? null : Path.of(s);
    }

    /** Hyper-parameters: the online defaults of the model kind, overridden by {@code model.*} settings. */
    public Hyperparameters hyperparameters() {
        ModelKind kind;
        try {
            kind = ModelKind.parse(values.get(MODEL_KIND));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MODEL_KIND + ": " + e.getMessage(), e);
        }
        HyperparameterOverrides given = new HyperparameterOverrides(
                values.containsKey(FACTORS) ? integer(FACTORS) : null,
                number(INIT_STD),
                values.containsKey(SEED) ? longValue(SEED) : null,
                values.get(OPTIMIZER),
                number(LEARNING_RATE),
                values.get(SCHEDULE),
                number(SCHEDULE_POWER),
                number(SCHEDULE_SCALE),
                number(REG_BIAS),
                number(REG_FACTORS),
                number(CLIP_NORM),
                floatNumber(MIN_LABEL),
                floatNumber(MAX_LABEL));
        return given.applyTo(Hyperparameters.defaults(kind), SCHEDULE);
    }

    private Double number(String key) {
        return values.containsKey(key) ? dbl(key, 0) : null;
    }

    private Float floatNumber(String key) {
        return values.containsKey(key) ? (float) dbl(key, 0) : null;
    }

    /** Kafka Streams properties: our application id and servers, the defaults, and every pass-through setting. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (!OWN.contains(k)) {
                p.put(k, v);
            }
        });
        p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(replicationFactor()));
        // Events and re-keyed events need no time alignment across the two input topics of a user task; without
        // this, a task whose user-events partition is empty re-checks (and logs) its idling state on every record.
        p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        // Two kinds of tasks, user and item: with one thread, a backlog of events keeps the thread in the user
        // tasks and the item rows they read fall further behind (StreamParityTest: +1.0% instead of +0.3% RMSE).
        p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
        // The trade-off between freshness (end-to-end latency, and the item rows the user tasks read) and throughput:
        // each commit ends a transaction on every partition a thread wrote (changelogs, gradients, model rows,
        // metrics), waits for the broker, and writes the pending events. Twice Kafka Streams' exactly-once default
        // of 100 ms: bench-stream, ratio 0.49-0.55 in five runs at 100 ms and 0.52-0.63 in six at 200 ms, latency
        // p99 210-232 ms and 309-322 ms (the target is under 1 s). Set 100 for fresher rows.
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        // Producer batches of up to 256 KB instead of the client's 16 KB: a training instance writes item gradients,
        // model rows and changelogs at tens of MB/s, and at 16 KB a batch fills every few milliseconds, each one a
        // produce request for the broker to append and the producer to complete. Latency is unchanged: Kafka
        // Streams flushes the producer at every commit. bench-stream (its earlier method, new applications every
        // round), both topologies: training 141,000-210,000 -> 243,000-251,000 events/s, broker CPU per event
        // 3.1-4.2 -> 2.2-2.3 us. (A plain "batch.size" is the old name of train.batch.size for one more release; the
        // producer's is set with the "producer." prefix.)
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(256 * 1024));
        // Larger input buffers than Kafka Streams' 1,000 records per partition (Kafka Streams stops fetching a
        // partition once that many are buffered), and larger polls. bench-stream, both topologies, one run: training
        // 217,000-256,000 -> 310,000-355,000 events/s; max.poll.records alone changed nothing. Why the buffer
        // matters this much for the trainer (three input topics per thread) is not established.
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.putIfAbsent(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, "10000");
        // Kafka Streams 4.x warns, once per config it builds, that the global thread ignores the processing exception
        // handler unless this is set, and makes it the default in 5.0. The handler is Kafka Streams' default (log and
        // fail), as an exception in the global thread did before. Two of the three warnings at start remain: they
        // come from configs Kafka Streams builds internally from a subset of these settings (ClientUtils).
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // Recovery after a crash. A member that died without leaving the group keeps its partitions until its
        // session times out (45 s by default), and a restarted instance's join waits for that: the stalls of
        // 30-54 s per kill seen in ChaosTest. Static membership lets the restarted instance take its members'
        // places at once; the id is stable for one host and state directory, which no two running instances
        // share (docs/architecture.md: recovery). An empty group.instance.id turns it off.
        String instanceId = p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (instanceId == null) {
            p.put(
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    defaultInstanceId(applicationId(), p.getProperty(StreamsConfig.STATE_DIR_CONFIG)));
        } else if (instanceId.isBlank()) {
            p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        }
        // An instance that dies and does not come back holds its partitions for a session timeout: 10 s instead of
        // 45 s, the broker's minimum being 6 s. Heartbeats every 3 s leave room for two missed ones.
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        // Restoring the global store reads model-updates one partition after another, and each switch waited for
        // the fetch left pending on the finished partition: fetch.max.wait.ms, 500 ms by default, per partition.
        // Idle fetches come back sooner too, which costs a few requests per second and shortens how long a new
        // item row waits to reach the user tasks.
        p.putIfAbsent(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        p.putIfAbsent(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        return p;
    }

    /**
     * {@code <application id>-<host name>-<hash of the absolute state directory>}: the same for an instance restarted
     * on the same host over the same (possibly emptied) state directory, different for two instances on one host.
     */
    static String defaultInstanceId(String applicationId, String stateDir) {
        String dir = stateDir != null
                ? stateDir
                : Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(
                Path.of(dir).toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return applicationId + "-" + host + "-" + Long.toHexString(crc.getValue());
    }

    /** Kafka client properties for admin, producers and consumers outside Kafka Streams (security settings etc.). */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!OWN.contains(k)
                    && !k.startsWith("processing.")
                    && !k.equals(APPLICATION_ID)
                    && !k.startsWith("group.")
                    && !k.startsWith("num.stream")
                    && !k.startsWith("state.")
                    && !k.startsWith("commit.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    private int integer(String key) {
        String s = values.get(key);
        try {
            return Integer.parseInt(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + s + "\"", e);
        }
    }

    private long longValue(String key) {
        String s = values.get(key);
        try {
            return Long.parseLong(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + s + "\"", e);
        }
    }

    private void positiveInt(String key) {
        int v = integer(key);
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + v);
        }
    }

    private double dbl(String key, double dflt) {
        String s = values.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got \"" + s + "\"", e);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
