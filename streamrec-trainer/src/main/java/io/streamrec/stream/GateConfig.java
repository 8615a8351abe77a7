package io.streamrec.stream;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The settings of the publication gate (docs/gate.md), read from {@link TrainerConfig}. Each default is argued
 * there; in short: a tenth of the events held out (the usual validation share), a window of 300 held-out events
 * (the standard error of an RMSE ratio on it is about 1.5%), a one-sided z of 3 (a 0.13% false-alarm rate per
 * independent check under the null), a margin of 1% (closures for changes smaller than that cost more in staleness
 * than they save), a reference re-based at most every 2,000 trained events and a rollback after 30 s closed; the
 * label check judges the newest 400 events (at least 10 users: a slope's standard error of about 0.1 on ML-100K)
 * against the 4,000 before, and finds labels suspect that follow the items' order less than half as much; a row
 * has exploded at ten times the largest accepted norm (an order of magnitude).
 *
 * @param enabled         {@code gate.enabled}
 * @param holdoutEvery    {@code gate.holdout.every}: one event in this many (by a hash of user, item, time) is held
 *                        out of training as validation data
 * @param windowEvents    {@code gate.window.events}: held-out events in the validation window
 * @param referenceEvents {@code gate.reference.events}: trained events between two re-basings of the reference
 * @param margin          {@code gate.margin}: relative RMSE increase over the reference that closes the gate
 * @param z               {@code gate.z}: the paired z statistic the increase must also exceed
 * @param rollbackMs      {@code gate.rollback.ms}: time closed after which the task rolls back to the published model
 * @param labelEvents     {@code gate.labels.events}: recent events the label check judges ({@link LabelCheck}; its
 *                        history is ten times as many); 0 turns the check off
 * @param labelFraction   {@code gate.labels.fraction}: the labels are suspect when the recent events follow the
 *                        items' order less than this fraction as much as the history did, or their level moves by
 *                        more than this fraction of the history's residual deviation
 * @param normFactor      {@code gate.norm.factor}: a changed row whose norm exceeds this many times the accepted
 *                        model's largest has exploded ({@link RowNormCheck}); 0 turns the check off
 */
public record GateConfig(
        boolean enabled,
        int holdoutEvery,
        int windowEvents,
        long referenceEvents,
        double margin,
        double z,
        long rollbackMs,
        int labelEvents,
        double labelFraction,
        double normFactor) {
    public static final String ENABLED = "gate.enabled";
    public static final String HOLDOUT_EVERY = "gate.holdout.every";
    public static final String WINDOW_EVENTS = "gate.window.events";
    public static final String REFERENCE_EVENTS = "gate.reference.events";
    public static final String MARGIN = "gate.margin";
    public static final String Z = "gate.z";
    public static final String ROLLBACK_MS = "gate.rollback.ms";
    public static final String LABEL_EVENTS = "gate.labels.events";
    public static final String LABEL_FRACTION = "gate.labels.fraction";
    public static final String NORM_FACTOR = "gate.norm.factor";

    static final Map<String, String> DEFAULTS = Map.of(
            ENABLED, "false",
            HOLDOUT_EVERY, "10",
            WINDOW_EVENTS, "300",
            REFERENCE_EVENTS, "2000",
            MARGIN, "0.01",
            Z, "3",
            ROLLBACK_MS, "30000",
            LABEL_EVENTS, "400",
            LABEL_FRACTION, "0.5",
            NORM_FACTOR, "10");

    static final Set<String> KEYS = DEFAULTS.keySet();

    public GateConfig {
        if (holdoutEvery < 2) {
            throw new IllegalArgumentException(HOLDOUT_EVERY + " must be >= 2, got " + holdoutEvery);
        }
        if (windowEvents < 20) {
            throw new IllegalArgumentException(WINDOW_EVENTS + " must be >= 20, got " + windowEvents);
        }
        if (referenceEvents < 1) {
            throw new IllegalArgumentException(REFERENCE_EVENTS + " must be >= 1, got " + referenceEvents);
        }
        if (!(margin > 0 && margin < 1)) {
            throw new IllegalArgumentException(MARGIN + " must be in (0, 1), got " + margin);
        }
        if (!(z >= 0)) {
            throw new IllegalArgumentException(Z + " must be >= 0, got " + z);
        }
        if (labelEvents != 0 && labelEvents < 20) {
            throw new IllegalArgumentException(LABEL_EVENTS + " must be 0 (off) or >= 20, got " + labelEvents);
        }
        if (!(labelFraction > 0 && labelFraction < 1)) {
            throw new IllegalArgumentException(LABEL_FRACTION + " must be in (0, 1), got " + labelFraction);
        }
        if (normFactor != 0 && !(normFactor > 1)) {
            throw new IllegalArgumentException(NORM_FACTOR + " must be 0 (off) or > 1, got " + normFactor);
        }
        if (rollbackMs < 1) {
            throw new IllegalArgumentException(ROLLBACK_MS + " must be >= 1 (milliseconds), got " + rollbackMs);
        }
    }

    /** Reads the gate settings; {@code get} returns a setting or null when unset. */
    static GateConfig from(java.util.function.Function<String, String> get) {
        return new GateConfig(
                bool(get, ENABLED),
                (int) number(get, HOLDOUT_EVERY),
                (int) number(get, WINDOW_EVENTS),
                (long) number(get, REFERENCE_EVENTS),
                number(get, MARGIN),
                number(get, Z),
                (long) number(get, ROLLBACK_MS),
                (int) number(get, LABEL_EVENTS),
                number(get, LABEL_FRACTION),
                number(get, NORM_FACTOR));
    }

    /**
     * Whether the gate holds this event out of training as validation data: never when disabled, else the rule of
     * the user tasks (one event in {@code holdoutEvery}, by a hash of user, item and event time), so that a test or
     * an operator can count the events trained.
     */
    public boolean holdsOut(String user, String item, long eventTime) {
        return enabled && QualityGate.heldOut(user, item, eventTime, holdoutEvery);
    }

    /**
     * The check on exploded rows of a task with labels in {@code [minLabel, maxLabel]}, with the largest accepted
     * norm the task saved in {@code taskState} before a restart; null when it is off.
     */
    RowNormCheck normCheck(float minLabel, float maxLabel, KeyValueStore<String, byte[]> taskState) {
        if (!enabled || normFactor <= 0) {
            return null;
        }
        RowNormCheck check = new RowNormCheck(normFactor, minLabel, maxLabel);
        check.restoreFrom(taskState);
        return check;
    }

    /** The settings of the task-level {@link QualityGate}. */
    QualityGate.Settings gateSettings() {
        return new QualityGate.Settings(
                enabled,
                windowEvents,
                windowEvents / 4,
                holdoutEvery,
                referenceEvents,
                margin,
                z,
                labelEvents,
                labelFraction);
    }

    private static String value(java.util.function.Function<String, String> get, String key) {
        String v = get.apply(key);
        return v == null ? DEFAULTS.get(key) : v.trim();
    }

    private static boolean bool(java.util.function.Function<String, String> get, String key) {
        String v = value(get, key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got \"" + v + "\"");
        }
        return v.equals("true");
    }

    private static double number(java.util.function.Function<String, String> get, String key) {
        String v = value(get, key);
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got \"" + v + "\"");
        }
    }
}
