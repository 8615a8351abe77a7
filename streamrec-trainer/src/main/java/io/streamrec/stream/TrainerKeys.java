package io.streamrec.stream;

import io.streamrec.learn.HyperparameterOverrides;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKind;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@link TrainerConfig}'s tables: which keys are streamrec's own (they never reach Kafka's clients), the defaults,
 * and how the {@code model.*} settings become hyper-parameters (with the same code and defaults as the offline
 * commands' flags, {@link HyperparameterOverrides}).
 */
final class TrainerKeys {
    private TrainerKeys() {}

    static final Set<String> OWN = withGateKeys(
            TrainerConfig.BATCH_SIZE,
            TrainerConfig.FLUSH_INTERVAL_MS,
            TrainerConfig.ITEM_BATCH_SIZE,
            TrainerConfig.USER_CACHE_ROWS,
            TrainerConfig.PARTITIONS,
            TrainerConfig.REPLICATION,
            TrainerConfig.INIT_MODEL,
            TrainerConfig.MODEL_KIND,
            TrainerConfig.FACTORS,
            TrainerConfig.OPTIMIZER,
            TrainerConfig.LEARNING_RATE,
            TrainerConfig.SCHEDULE,
            TrainerConfig.SCHEDULE_POWER,
            TrainerConfig.SCHEDULE_SCALE,
            TrainerConfig.REG_BIAS,
            TrainerConfig.REG_FACTORS,
            TrainerConfig.CLIP_NORM,
            TrainerConfig.INIT_STD,
            TrainerConfig.SEED,
            TrainerConfig.MIN_LABEL,
            TrainerConfig.MAX_LABEL,
            TrainerConfig.USER_SCALE,
            TrainerConfig.NEIGHBOURHOOD,
            TrainerConfig.POSITIVES,
            TrainerConfig.NEGATIVES,
            TrainerConfig.HTTP_PORT,
            TrainerConfig.HTTP_BIND,
            TrainerConfig.READINESS_MAX_STALL_MS,
            TrainerConfig.ROWS_TTL_MS,
            TrainerConfig.ROWS_ADMISSION_MIN_EVENTS,
            TrainerConfig.GLOBAL_STORE,
            TrainerConfig.HANGING_TRANSACTION_MS,
            TrainerConfig.HANGING_TRANSACTION_ACTION);

    // Publication gate (docs/gate.md): its keys, defaults and validation live in GateConfig.
    private static Set<String> withGateKeys(String... own) {
        Set<String> s = new java.util.HashSet<>(Set.of(own));
        s.addAll(GateConfig.KEYS);
        return Set.copyOf(s);
    }

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(TrainerConfig.APPLICATION_ID, "streamrec"),
            Map.entry(TrainerConfig.BATCH_SIZE, "32"),
            Map.entry(TrainerConfig.FLUSH_INTERVAL_MS, "150"),
            Map.entry(TrainerConfig.ITEM_BATCH_SIZE, "5000"),
            Map.entry(TrainerConfig.USER_CACHE_ROWS, "1000000"),
            Map.entry(TrainerConfig.PARTITIONS, "4"),
            Map.entry(TrainerConfig.REPLICATION, "1"),
            Map.entry(TrainerConfig.MODEL_KIND, "biased-mf"),
            Map.entry(TrainerConfig.HTTP_PORT, "8080"),
            Map.entry(TrainerConfig.HTTP_BIND, "0.0.0.0"),
            Map.entry(TrainerConfig.READINESS_MAX_STALL_MS, "30000"),
            Map.entry(TrainerConfig.ROWS_TTL_MS, "0"),
            Map.entry(TrainerConfig.ROWS_ADMISSION_MIN_EVENTS, "1"),
            Map.entry(TrainerConfig.GLOBAL_STORE, "memory"),
            Map.entry(TrainerConfig.HANGING_TRANSACTION_MS, "300000"),
            Map.entry(TrainerConfig.HANGING_TRANSACTION_ACTION, "report"),
            Map.entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));

    static Hyperparameters hyperparameters(SettingParser s) {
        ModelKind kind;
        try {
            kind = ModelKind.parse(s.text(TrainerConfig.MODEL_KIND));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TrainerConfig.MODEL_KIND + ": " + e.getMessage(), e);
        }
        HyperparameterOverrides given = new HyperparameterOverrides(
                s.optionalInt(TrainerConfig.FACTORS),
                s.optionalDouble(TrainerConfig.INIT_STD),
                s.optionalLong(TrainerConfig.SEED),
                s.text(TrainerConfig.OPTIMIZER),
                s.optionalDouble(TrainerConfig.LEARNING_RATE),
                s.text(TrainerConfig.SCHEDULE),
                s.optionalDouble(TrainerConfig.SCHEDULE_POWER),
                s.optionalDouble(TrainerConfig.SCHEDULE_SCALE),
                s.optionalDouble(TrainerConfig.REG_BIAS),
                s.optionalDouble(TrainerConfig.REG_FACTORS),
                s.optionalDouble(TrainerConfig.CLIP_NORM),
                s.optionalFloat(TrainerConfig.MIN_LABEL),
                s.optionalFloat(TrainerConfig.MAX_LABEL),
                s.optionalBoolean(TrainerConfig.USER_SCALE));
        return given.applyTo(Hyperparameters.defaults(kind), TrainerConfig.SCHEDULE);
    }
}
