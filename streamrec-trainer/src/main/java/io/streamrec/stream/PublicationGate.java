package io.streamrec.stream;

import io.streamrec.model.GateState;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user task's publication gate (docs/gate.md): the {@link QualityGate} that judges the live model, its state kept
 * in the task-state store (so that a task restarted while closed stays closed), and its record: key
 * {@code gate:<partition>}, value {@link ModelUpdates#gate}, on {@code model-updates} (where clients and the item
 * tasks read it) and on {@code training-metrics} under key {@code gate-<partition>}, written when the state
 * changes and at most once a second otherwise.
 *
 * <p>State: one instance per user task, in the task-state store, each part written in the transaction of the
 * interval that changed it: open or closed, reason, since when, closures, rollbacks, quarantined events and
 * whether the labels are quarantined now under key {@code gate}; the validation window with the reference's
 * predictions under {@code gate-window} (at each acceptance, closure and rollback); the label check's history under
 * {@code gate-labels} (each time it turned over). A restarted task therefore judges at once: restored open, it
 * compares the live model with the same reference as before; restored closed for labels, it keeps quarantining the
 * attack and opens when the labels agree and the window test passes; restored closed for another reason, it stays
 * closed until its rollback ({@link QualityGate}).
 */
final class PublicationGate {
    private static final Logger LOG = LoggerFactory.getLogger(PublicationGate.class);
    private static final String STATE_KEY = "gate";
    private static final String WINDOW_KEY = "gate-window";
    private static final String LABELS_KEY = "gate-labels";
    private static final long RECORD_EVERY_MS = 1000;

    private final ProcessorContext<Object, byte[]> context;
    private final TrainerListener listener;
    private final KeyValueStore<String, byte[]> stateStore;
    private final int partition;
    private final long rollbackMs;
    private final QualityGate gate;
    private long rollbacks;
    private long quarantined;
    private long recordedAt = Long.MIN_VALUE / 2;
    private boolean recordedOpen = true;

    PublicationGate(
            ProcessorContext<Object, byte[]> context,
            TrainerListener listener,
            GateConfig config,
            KeyValueStore<String, byte[]> stateStore,
            int partition) {
        this.context = context;
        this.listener = listener;
        this.stateStore = stateStore;
        this.partition = partition;
        this.rollbackMs = config.rollbackMs();
        this.gate = new QualityGate(config.gateSettings());
        byte[] saved = stateStore.get(STATE_KEY);
        if (saved != null) {
            String[] f = new String(saved, StandardCharsets.UTF_8).split(",");
            boolean open = Boolean.parseBoolean(f[0]);
            boolean quarantine = f.length > 6 && Boolean.parseBoolean(f[6]);
            gate.restore(open, QualityGate.Reason.of(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), quarantine);
            rollbacks = Long.parseLong(f[4]);
            quarantined = f.length > 5 ? Long.parseLong(f[5]) : 0;
            recordedOpen = open;
        }
        byte[] window = stateStore.get(WINDOW_KEY);
        if (window != null) {
            gate.restoreValidation(window);
        }
        byte[] labels = stateStore.get(LABELS_KEY);
        if (labels != null) {
            gate.restoreLabels(labels);
        }
        if (!gate.open()) {
            LOG.warn(
                    "user partition {}: the publication gate was closed ({}) before the restart; it stays closed {}",
                    partition,
                    gate.reason().word,
                    gate.reason() == QualityGate.Reason.LABELS
                            ? "until the arriving labels agree with the accepted stream and the live model passes on"
                                    + " its " + gate.windowSize() + " held-out events"
                            : "until its rollback");
        }
    }

    boolean enabled() {
        return gate.enabled();
    }

    /**
     * Whether an event, scored and not yet learned, stays out of training: held out as validation data, or
     * quarantined because the labels arriving now are suspect. {@code itemBias}: its item's bias in the model (NaN
     * for an item the task has no row for). Every event feeds the label check first; a held-out event stays held out
     * (by its hash) even then, so that a reader can tell which events were held out.
     */
    boolean keepsOut(Event e, double itemBias) {
        boolean suspect = suspect(e, itemBias);
        if (holdOut(e)) {
            return true;
        }
        if (suspect) {
            quarantined();
        }
        return suspect;
    }

    /** True when the event is validation data: it is scored, not trained (see {@link QualityGate}). */
    private boolean holdOut(Event e) {
        if (!gate.holdsOut(e.user(), e.item(), e.eventTime())) {
            return false;
        }
        gate.heldOut(e.user(), e.item(), e.label());
        listener.eventHeldOut();
        return true;
    }

    /**
     * An arriving event, scored and not yet learned, with its item's bias in the model (NaN for an item the task has
     * no row for), for the label check ({@link LabelCheck}). True when the labels arriving now are suspect: unless
     * it is held out, the event is then quarantined ({@link #quarantined}): scored, counted, not trained.
     */
    private boolean suspect(Event e, double itemBias) {
        if (!gate.enabled() || Double.isNaN(itemBias)) {
            return gate.quarantines();
        }
        boolean was = gate.quarantines();
        boolean q = gate.observe(e.user(), itemBias, e.label());
        if (q && !was) {
            LOG.warn(
                    "user partition {}: the arriving labels no longer look like the accepted stream's ({}); events are"
                            + " scored, not trained, until they agree again",
                    partition,
                    gate.labelCheck());
        } else if (was && !q) {
            LOG.info("user partition {}: the arriving labels agree with the accepted stream again", partition);
            saveState(); // a restart must not quarantine them again
        }
        return q;
    }

    /**
     * An event not trained because its labels are suspect. The count is saved with the event, as the pending log
     * saves a trained one, so that events trained, held out and quarantined add up exactly across a crash.
     */
    private void quarantined() {
        quarantined++;
        listener.eventQuarantined();
        saveState();
    }

    void trained(int events) {
        gate.trained(events);
    }

    /**
     * On each publication interval: judges the live model and says whether the changed rows may be published.
     * {@code rows}: what is wrong with a changed row ({@code NON_FINITE}, {@code NORM}), else {@code NONE}. When
     * the gate has been closed for {@code gate.rollback.ms}, runs {@code rollBack} (which sets the task's changed
     * rows back to their published versions) and opens.
     */
    boolean allows(QualityGate.Predictor live, QualityGate.Reason rows, Runnable rollBack) {
        if (!gate.enabled()) {
            return true;
        }
        long now = context.currentSystemTimeMs();
        boolean wasOpen = gate.open();
        // False with the gate still open: a first finding of a worse live model holds this interval's rows back
        // (QualityGate.CONFIRMING_CHECKS); only a closure counts, logs and can roll back.
        boolean ok = gate.check(live, rows, now);
        boolean closedNow = wasOpen && !gate.open();
        listener.gateChecked(partition, gate.open(), gate.liveRmse(), gate.referenceRmse());
        if (closedNow) {
            listener.gateClosed(partition, gate.reason().word);
            LOG.warn(
                    "user partition {}: publication gate closed ({}): live RMSE {} against reference {} on {} held-out"
                            + " events (z {}); changed rows are withheld",
                    partition,
                    gate.reason().word,
                    gate.liveRmse(),
                    gate.referenceRmse(),
                    gate.windowSize(),
                    gate.z());
        } else if (!wasOpen && gate.open()) {
            LOG.info(
                    "user partition {}: publication gate open again: live RMSE {} against reference {}; publishing the"
                            + " changes held back",
                    partition,
                    gate.liveRmse(),
                    gate.referenceRmse());
        }
        if (closedNow && gate.reason() == QualityGate.Reason.LABELS) {
            // The rows changed since the last publication trained on labels from before the check found them
            // suspect: back to the published model, and the item tasks with them.
            rollBack(rollBack);
            LOG.warn(
                    "user partition {}: rows changed since the last publication rolled back to the published model"
                            + " (they trained on suspect labels)",
                    partition);
        } else if (!gate.open() && now - gate.closedSince() >= rollbackMs) {
            rollBack(rollBack);
            gate.rolledBack();
            LOG.warn(
                    "user partition {}: closed for over {} ms: rows rolled back to the last accepted (published) model",
                    partition,
                    rollbackMs);
            ok = true;
        }
        if (gate.validationChanged()) {
            stateStore.put(WINDOW_KEY, gate.validationState());
        }
        byte[] labels = gate.labelState();
        if (labels != null) {
            stateStore.put(LABELS_KEY, labels);
        }
        if (gate.open() != recordedOpen || now - recordedAt >= RECORD_EVERY_MS) {
            record(now);
        }
        return ok;
    }

    /** Runs {@code rollBack}, which sets the changed rows back to their published versions, and counts it (the item
     * tasks follow the count). */
    private void rollBack(Runnable rollBack) {
        rollBack.run();
        rollbacks++;
        listener.gateRolledBack("user", partition);
    }

    /**
     * The task-state value of the gate: open, reason, closed since, closures, rollbacks, quarantined events, and
     * whether the arriving labels are quarantined now (a value without the last field or two, written by an earlier
     * version, reads as none).
     */
    static byte[] encodeState(
            boolean open,
            String reason,
            long since,
            long closures,
            long rollbacks,
            long quarantined,
            boolean quarantine) {
        return (open + "," + reason + "," + since + "," + closures + "," + rollbacks + "," + quarantined + ","
                        + quarantine)
                .getBytes(StandardCharsets.UTF_8);
    }

    private void saveState() {
        stateStore.put(
                STATE_KEY,
                encodeState(
                        gate.open(),
                        gate.reason().word,
                        gate.closedSince(),
                        gate.closures(),
                        rollbacks,
                        quarantined,
                        gate.quarantines()));
    }

    static String stateKey() {
        return STATE_KEY;
    }

    private void record(long now) {
        saveState();
        byte[] value = ModelUpdates.gate(new GateState(
                partition,
                gate.open(),
                gate.reason().word,
                gate.liveRmse(),
                gate.referenceRmse(),
                gate.closedSince(),
                gate.closures(),
                rollbacks,
                quarantined,
                now));
        context.forward(new Record<>(ModelKeys.gate(partition), value, now), StreamTopology.USER_MODEL_SINK);
        context.forward(new Record<>("gate-" + partition, value, now), StreamTopology.USER_METRICS_SINK);
        recordedAt = now;
        recordedOpen = gate.open();
    }
}
