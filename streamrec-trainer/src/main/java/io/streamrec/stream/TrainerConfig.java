package io.streamrec.stream;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.model.ModelKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
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
    /** The user's scale on the item bias ({@code io.streamrec.learn.Hyperparameters#userScale}): true or false. */
    public static final String USER_SCALE = "model.user.scale";
    /**
     * The residual neighbourhood on top of biased-mf ({@code io.streamrec.learn.ResidualNeighbourhood}): true or
     * false.
     */
    public static final String NEIGHBOURHOOD = "model.neighbourhood";
    /** Events labeled at least this are positives (see {@code io.streamrec.data.Positives}); unset: labels as they are. */
    public static final String POSITIVES = "model.positives";
    /** Negatives sampled per positive by bpr and implicit-logistic (defaults 1 and 4). */
    public static final String NEGATIVES = "model.negatives";

    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_BIND = "http.bind";
    /** Longest time without processed input, while input waits, before the instance reports itself not ready. */
    public static final String READINESS_MAX_STALL_MS = "readiness.max.stall.ms";
    /** Smallest {@link #READINESS_MAX_STALL_MS}: below a second, an ordinary commit or poll would read as a stall. */
    public static final int MIN_READINESS_MAX_STALL_MS = 1000;
    /** User rows no event has trained for this long (wall clock) are deleted and tombstoned; 0 = never. */
    public static final String ROWS_TTL_MS = "rows.ttl.ms";
    /** A user gets a row of its own at its n-th event; the events before train the items' biases only; 1 = at once. */
    public static final String ROWS_ADMISSION_MIN_EVENTS = "rows.admission.min.events";
    /**
     * Where each instance keeps its copy of {@code model-updates}: {@code memory} (the default: the fastest, about
     * 590 bytes of heap per user row) or {@code rocksdb} (on disk: the heap no longer grows with the users; the
     * global thread's writes cost CPU and latency). docs/benchmarks.md, "The global store on disk".
     */
    public static final String GLOBAL_STORE = "global.store";
    /**
     * How long a transaction may stay open on a partition the trainer writes before it counts as hanging (a broker
     * crash can leave one that blocks the partition's readers for good; io.streamrec.app.HangingTransactionCheck).
     */
    public static final String HANGING_TRANSACTION_MS = "hanging.transaction.ms";
    /** Smallest {@link #HANGING_TRANSACTION_MS}: the exactly-once transactions' own timeout is 10 seconds. */
    public static final int MIN_HANGING_TRANSACTION_MS = 1000;
    /** What to do with a hanging transaction: {@code report} (metric, log) or {@code abort} (and go on). */
    public static final String HANGING_TRANSACTION_ACTION = "hanging.transaction.action";

    /** The publication gate's settings (docs/gate.md), validated at construction. */
    public GateConfig gate() {
        return gate;
    }

    private final Map<String, String> values;
    // Parsed once, here: a bad value fails the start, not the first use.
    private final int batchSize;
    private final int flushIntervalMs;
    private final int itemBatchSize;
    private final int userCacheRows;
    private final int partitions;
    private final short replicationFactor;
    private final int httpPort;
    private final int readinessMaxStallMs;
    private final long rowsTtlMs;
    private final GateConfig gate;
    private final int rowsAdmissionMinEvents;
    private final boolean globalStoreOnDisk;
    private final long hangingTransactionMs;
    private final boolean abortHangingTransactions;
    private final Path initModel;
    private final Hyperparameters hyperparameters;
    private final Float positives;
    private final int negatives;
    private final boolean neighbourhood;

    private TrainerConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        SettingParser s = new SettingParser(this.values);
        if (!values.containsKey(BOOTSTRAP_SERVERS)
                || values.get(BOOTSTRAP_SERVERS).isBlank()) {
            throw new IllegalArgumentException(BOOTSTRAP_SERVERS + " is required: host:port[,host:port] of the Kafka"
                    + " brokers (flag --bootstrap-servers, env STREAMREC_BOOTSTRAP_SERVERS)");
        }
        batchSize = s.positiveInt(BATCH_SIZE);
        flushIntervalMs = s.positiveInt(FLUSH_INTERVAL_MS);
        itemBatchSize = s.positiveInt(ITEM_BATCH_SIZE);
        userCacheRows = s.positiveInt(USER_CACHE_ROWS);
        partitions = s.positiveInt(PARTITIONS);
        int replication = s.positiveInt(REPLICATION);
        if (replication > Short.MAX_VALUE) {
            throw new IllegalArgumentException(REPLICATION + " must be <= " + Short.MAX_VALUE + ", got " + replication);
        }
        replicationFactor = (short) replication;
        httpPort = s.integer(HTTP_PORT);
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException(HTTP_PORT + " must be in 0..65535 (0 = any free port), got " + httpPort);
        }
        readinessMaxStallMs = s.integer(READINESS_MAX_STALL_MS);
        if (readinessMaxStallMs < MIN_READINESS_MAX_STALL_MS) {
            throw new IllegalArgumentException(READINESS_MAX_STALL_MS + " must be >= " + MIN_READINESS_MAX_STALL_MS
                    + " (milliseconds without processed input, while input waits, before the instance is not ready),"
                    + " got " + readinessMaxStallMs);
        }
        gate = GateConfig.from(this.values::get);
        rowsTtlMs = s.longInt(ROWS_TTL_MS);
        if (rowsTtlMs < 0) {
            throw new IllegalArgumentException(
                    ROWS_TTL_MS + " must be >= 0 (milliseconds; 0 keeps rows forever), got " + rowsTtlMs);
        }
        rowsAdmissionMinEvents = s.positiveInt(ROWS_ADMISSION_MIN_EVENTS);
        globalStoreOnDisk = s.choice(GLOBAL_STORE, "memory", "rocksdb").equals("rocksdb");
        hangingTransactionMs = s.longInt(HANGING_TRANSACTION_MS);
        if (hangingTransactionMs < MIN_HANGING_TRANSACTION_MS) {
            throw new IllegalArgumentException(HANGING_TRANSACTION_MS + " must be >= " + MIN_HANGING_TRANSACTION_MS
                    + " (milliseconds a transaction may stay open on a partition the trainer writes), got "
                    + hangingTransactionMs);
        }
        abortHangingTransactions =
                s.choice(HANGING_TRANSACTION_ACTION, "report", "abort").equals("abort");
        s.choice(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);
        String init = values.get(INIT_MODEL);
        initModel = init == null || init.isBlank() ? null : Path.of(init);
        hyperparameters = TrainerKeys.hyperparameters(s);
        positives = positives(s, hyperparameters.kind());
        negatives = negatives(s, hyperparameters.kind());
        neighbourhood = Boolean.TRUE.equals(s.optionalBoolean(NEIGHBOURHOOD));
        if (neighbourhood && hyperparameters.kind() != ModelKind.BIASED_MF) {
            throw new IllegalArgumentException(NEIGHBOURHOOD + " corrects rating predictions: it needs " + MODEL_KIND
                    + " biased-mf, got " + hyperparameters.kind().id());
        }
        if (gate.enabled() && hyperparameters.kind().positivesOnly()) {
            // The gate compares held-out squared errors; a positives-only model's scores rank, they estimate no label.
            throw new IllegalArgumentException(GateConfig.ENABLED + " judges held-out RMSE (biased-mf, logistic-mf): "
                    + MODEL_KIND + " " + hyperparameters.kind().id() + " needs it false");
        }
    }

    /** Builds a config from the sources in rising precedence; {@code file} and {@code env} may be null. */
    public static TrainerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        return new TrainerConfig(ConfigSources.merge(TrainerKeys.DEFAULTS, file, env, flags));
    }

    /** A config from explicit settings over the defaults (tests, demo). */
    public static TrainerConfig of(Map<String, String> settings) {
        return load(null, null, settings);
    }

    public TrainerConfig with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        ConfigSources.put(v, key, value);
        return new TrainerConfig(v);
    }

    /** streamrec's own settings, which never reach Kafka's clients. */
    public static Set<String> ownKeys() {
        return TrainerKeys.OWN;
    }

    /**
     * The positives threshold of {@link #POSITIVES}, or null when unset: an event labeled at least this is learned
     * as label 1, one below it as 0 ({@code logistic-mf}) or not at all (the positives-only models).
     */
    public Float positives() {
        return positives;
    }

    private static Float positives(SettingParser s, ModelKind kind) {
        Float min = s.optionalFloat(POSITIVES);
        if (min == null) {
            return null;
        }
        if (!Float.isFinite(min)) {
            throw new IllegalArgumentException(POSITIVES + " must be a finite label, got " + min);
        }
        if (kind == ModelKind.BIASED_MF) {
            throw new IllegalArgumentException(
                    POSITIVES + " turns labels into positives for the 0/1 models (logistic-mf, bpr,"
                            + " implicit-logistic, popularity); biased-mf learns the ratings themselves");
        }
        return min;
    }

    /** Whether the user tasks add the residual neighbourhood ({@link #NEIGHBOURHOOD}). */
    public boolean neighbourhood() {
        return neighbourhood;
    }

    /**
     * The length of a row in {@code model-updates}: the model's width, plus, with the residual neighbourhood, the
     * coordinates that carry it to clients ({@code ResidualNeighbourhood#SERVED_TAIL}), which the trainer's own
     * readers leave out.
     */
    public int publishedWidth() {
        return hyperparameters.width() + (neighbourhood ? ResidualNeighbourhood.SERVED_TAIL : 0);
    }

    /** Negatives per positive ({@link #NEGATIVES}): by default 1 for bpr and 4 for implicit-logistic. */
    public int negatives() {
        return negatives;
    }

    private static int negatives(SettingParser s, ModelKind kind) {
        Integer n = s.optionalInt(NEGATIVES);
        if (n == null) {
            return ImplicitLearner.defaultNegatives(kind);
        }
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException(NEGATIVES + " must be in 1..1000 (negatives per positive), got " + n);
        }
        return n;
    }

    /**
     * Every setting in effect, sorted: streamrec's own (defaults included) and what Kafka Streams is given (derived
     * defaults included), with the values of secrets hidden ({@link SecretSettings}).
     */
    public SortedMap<String, String> effectiveSettings() {
        SortedMap<String, String> m = new TreeMap<>(values);
        streamsProperties().forEach((k, v) -> m.put(k.toString(), v.toString()));
        m.replaceAll((k, v) -> SecretSettings.isSecret(k) ? "[hidden]" : v);
        return m;
    }

    /** The setting as given (or its default), null when unset. */
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
        return batchSize;
    }

    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    public int itemBatchSize() {
        return itemBatchSize;
    }

    /** Most user rows a user task keeps in memory. */
    public int userCacheRows() {
        return userCacheRows;
    }

    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public int httpPort() {
        return httpPort;
    }

    public String httpBind() {
        return values.get(HTTP_BIND);
    }

    /** See {@link #ROWS_TTL_MS}; 0 when rows never expire. */
    public long rowsTtlMs() {
        return rowsTtlMs;
    }

    /** See {@link #HANGING_TRANSACTION_MS}. */
    public long hangingTransactionMs() {
        return hangingTransactionMs;
    }

    /** See {@link #HANGING_TRANSACTION_ACTION}: true for {@code abort}. */
    public boolean abortHangingTransactions() {
        return abortHangingTransactions;
    }

    /** See {@link #GLOBAL_STORE}: true for {@code rocksdb}. */
    public boolean globalStoreOnDisk() {
        return globalStoreOnDisk;
    }

    /** See {@link #ROWS_ADMISSION_MIN_EVENTS}; 1 when every user gets its row at its first event. */
    public int rowsAdmissionMinEvents() {
        return rowsAdmissionMinEvents;
    }

    /** Longest stall, in milliseconds, that readiness tolerates while input waits (and longest REBALANCING). */
    public long readinessMaxStallMs() {
        return readinessMaxStallMs;
    }

    /** The snapshot to seed a new application id with, or null. */
    public Path initModel() {
        return initModel;
    }

    /** Hyper-parameters: the online defaults of the model kind, overridden by {@code model.*} settings. */
    public Hyperparameters hyperparameters() {
        return hyperparameters;
    }

    /** Kafka Streams properties: our application id and servers, the defaults, and every pass-through setting. */
    public Properties streamsProperties() {
        return KafkaSettings.streams(this);
    }

    /** Kafka client properties for admin, producers and consumers outside Kafka Streams (security settings etc.). */
    public Map<String, Object> clientProperties() {
        return KafkaSettings.clients(this);
    }

    /**
     * {@link #clientProperties()} kept to what one kind of client takes ({@code ProducerConfig.configNames()},
     * {@code ConsumerConfig.configNames()}), the security settings ({@code sasl.*}, {@code ssl.*}) always, so that the
     * client does not warn about settings meant for others.
     */
    public Map<String, Object> clientProperties(Set<String> configNames) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.keySet().removeIf(k -> !configNames.contains(k) && !k.startsWith("sasl") && !k.startsWith("ssl"));
        return props;
    }

    /** Every setting as given, over the defaults: what {@link KafkaSettings} passes on. */
    Map<String, String> settings() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
