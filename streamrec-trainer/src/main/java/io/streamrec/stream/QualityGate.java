package io.streamrec.stream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides whether a task's changed rows may be published: the live model against a reference, the model as last
 * accepted, on a validation window of held-out events (docs/gate.md). Plain Java, one instance per user task.
 *
 * <p><b>Validation data.</b> One event in {@code sampleEvery}, chosen by a hash of user, item and time
 * ({@link #heldOut(String, String, long, int)}), is held out of training. A held-out event joins the window at the
 * second acceptance (re-basing of the reference) after it arrived, so the window holds labels the gate let through
 * twice over: an attack that starts just before an acceptance cannot slip its labels in at once and hide itself.
 * Events held out while the gate is closed, or not yet in the window when it closes, are dropped: under an attack
 * they are the attack. The window keeps the newest {@code windowEvents}.
 *
 * <p><b>Reference.</b> Kept as its predictions on the window, taken from the live model at each acceptance (no
 * second copy of the rows). An acceptance happens at a check that passes, once {@code referenceEvents} events were
 * trained since the last one, and only if the live model is not itself getting worse ({@code z < ACCEPT_Z}): a slow
 * degradation then accumulates against an older reference instead of being re-based away piece by piece.
 *
 * <p><b>Statistic.</b> RMSE of each model on the window's labels, and the paired z statistic of the squared-error
 * differences. A check finds the live model worse when its RMSE exceeds the reference's by more than {@code margin}
 * (relative) and z exceeds {@code z}; the gate closes at the second such check in a row (the first holds the
 * rows back), or at once when a changed row is not finite or has exploded; it opens again at the second judged check
 * in a row that does not find the live model worse. Until the window holds {@code minWindow} events the gate accepts
 * without judging. A gate restored closed for any reason but {@code labels} stays closed until its rollback: the
 * live model a restarted task judges has lost the task's own steps on its local item rows (the item tasks hold
 * them, unpublished), so a pass would not speak for the rows that opening would publish.
 *
 * <p><b>Labels.</b> The window test sees an attack only once the live model has learned it. The {@link LabelCheck}
 * looks at the arriving labels themselves ({@link #observe}): while they are suspect the task quarantines its events
 * (scores them, does not train them), the next check closes the gate with reason {@code labels} without running the
 * window test (it would re-base the reference on a model that trained on suspect labels), and the gate stays closed
 * until the labels agree again and the window test passes.
 *
 * <p><b>State.</b> The window, the reference's predictions on it and the held-out events waiting to join it change
 * only at an acceptance, a closure or a rollback; then {@link #validationChanged} is true and the owner saves
 * {@link #validationState} (a few kilobytes), so that a restarted task judges at once instead of refilling the window
 * from thousands of events. The label check's history is saved likewise ({@link #labelState}). Held-out events not
 * yet seasoned are not saved: after a restart they simply never join the window.
 */
final class QualityGate {
    /** Below this z the live model is not getting worse, and the reference may be re-based on it. */
    static final double ACCEPT_Z = 1.0;
    /** Consecutive checks that must find the live model worse before an open gate closes for quality. */
    static final int CONFIRMING_CHECKS = 2;

    /** The live model's prediction for a user and an item. */
    interface Predictor {
        double predict(String user, String item);
    }

    /** The gate's settings; see the class comment and {@link GateConfig}. */
    record Settings(
            boolean enabled,
            int windowEvents,
            int minWindow,
            int sampleEvery,
            long referenceEvents,
            double margin,
            double z,
            int labelEvents,
            double labelFraction) {
        Settings {
            if (windowEvents < 1 || minWindow < 1 || minWindow > windowEvents) {
                throw new IllegalArgumentException(
                        "expected 1 <= minWindow <= windowEvents, got " + minWindow + " and " + windowEvents);
            }
            if (sampleEvery < 1 || referenceEvents < 1) {
                throw new IllegalArgumentException(
                        "sampleEvery and referenceEvents must be >= 1, got " + sampleEvery + " and " + referenceEvents);
            }
        }
    }

    /** Why the gate is closed. */
    enum Reason {
        NONE("none"),
        QUALITY("quality"),
        LABELS("labels"),
        NON_FINITE("non-finite"),
        NORM("norm");

        final String word;

        Reason(String word) {
            this.word = word;
        }

        static Reason of(String word) {
            for (Reason r : values()) {
                if (r.word.equals(word)) {
                    return r;
                }
            }
            return QUALITY;
        }
    }

    private record Sample(String user, String item, float label) {}

    private final Settings settings;
    /** The window, oldest first, and the reference's predictions on it, in the same order. */
    private final List<Sample> window = new ArrayList<>();

    private double[] reference = new double[0];
    /** Held out since the last acceptance. */
    private final List<Sample> candidates = new ArrayList<>();
    /** Held out in the period before: they join the window at the next acceptance. */
    private final List<Sample> seasoned = new ArrayList<>();

    private long trainedSinceAcceptance;
    private boolean open = true;
    private Reason reason = Reason.NONE;
    private long closedSince = -1;
    private long closures;
    /** Consecutive checks of the open gate that found the live model worse ({@link #CONFIRMING_CHECKS}). */
    private int strikes;
    /** Consecutive judged checks of the closed gate that did not ({@link #CONFIRMING_CHECKS}). */
    private int passes;
    /** Restored closed after a restart, not for labels: no check opens it, only a rollback (class comment). */
    private boolean restoredClosed;
    /** The window, the reference or the seasoned events changed since {@link #validationState} last ran. */
    private boolean validationChanged;

    private double liveRmse = Double.NaN;
    private double referenceRmse = Double.NaN;
    private double z = Double.NaN;

    /** The label check; null when off. */
    private final LabelCheck labels;
    /** The incoming labels are suspect: events are scored, not trained, and the gate closes at the next check. */
    private boolean quarantine;

    QualityGate(Settings settings) {
        this.settings = settings;
        this.labels = settings.enabled() && settings.labelEvents() > 0
                ? new LabelCheck(
                        settings.labelEvents(), 10 * settings.labelEvents(), settings.labelFraction(), settings.z())
                : null;
    }

    /**
     * An arriving event, before anything learns from it: the item's bias in the model (its accepted quality) and the
     * label, for the label check. Returns whether the event is quarantined: scored, not trained, because the labels
     * arriving now do not follow the items' order as the accepted stream did ({@link LabelCheck}).
     */
    boolean observe(String user, double itemBias, float label) {
        if (labels == null) {
            return false;
        }
        labels.add(user, itemBias, label, open && !quarantine);
        if (!quarantine && labels.suspect()) {
            quarantine = true;
        } else if (quarantine && labels.agrees()) {
            quarantine = false;
        }
        return quarantine;
    }

    boolean quarantines() {
        return quarantine;
    }

    /** Whether an event is held out of training as validation data: one in {@code every}, by a hash. */
    static boolean heldOut(String user, String item, long time, int every) {
        int h = user.hashCode() * 31 + item.hashCode();
        h = h * 31 + Long.hashCode(time);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Math.floorMod(h, every) == 0;
    }

    /** Whether this gate holds the event out of training (false when the gate is disabled). */
    boolean holdsOut(String user, String item, long time) {
        return settings.enabled() && heldOut(user, item, time, settings.sampleEvery());
    }

    /** An event held out of training: a candidate for the window while the gate is open. */
    void heldOut(String user, String item, float label) {
        if (open) {
            candidates.add(new Sample(user, item, label));
        }
    }

    /** {@code n} events were trained. */
    void trained(int n) {
        trainedSinceAcceptance += n;
    }

    /**
     * Judges the live model; returns whether rows may be published. {@code rows}: what is wrong with a changed row,
     * {@link Reason#NON_FINITE} or {@link Reason#NORM} ({@link RowNormCheck}), else {@link Reason#NONE}.
     */
    boolean check(Predictor live, Reason rows, long now) {
        if (!settings.enabled()) {
            return true;
        }
        if (rows != Reason.NONE) {
            close(rows, now);
            return false;
        }
        if (quarantine) {
            // The window test is not run: it would re-base the reference on a model that trained on the labels
            // before the check found them suspect.
            close(Reason.LABELS, now);
            return false;
        }
        int n = window.size();
        double[] preds = new double[n];
        double live2 = 0;
        double ref2 = 0;
        double dd = 0;
        for (int k = 0; k < n; k++) {
            Sample s = window.get(k);
            preds[k] = live.predict(s.user(), s.item());
            double el = (s.label() - preds[k]) * (s.label() - preds[k]);
            double er = (s.label() - reference[k]) * (s.label() - reference[k]);
            live2 += el;
            ref2 += er;
            dd += (el - er) * (el - er);
        }
        boolean judged = n >= settings.minWindow();
        liveRmse = n == 0 ? Double.NaN : Math.sqrt(live2 / n);
        referenceRmse = n == 0 ? Double.NaN : Math.sqrt(ref2 / n);
        double mean = n == 0 ? 0 : (live2 - ref2) / n;
        double se = n < 2 ? 0 : Math.sqrt(Math.max(0, dd / n - mean * mean) / n);
        z = se > 0 ? mean / se : mean == 0 ? 0 : Math.signum(mean) * Double.POSITIVE_INFINITY;
        boolean withinMargin = liveRmse <= referenceRmse * (1 + settings.margin());
        if (judged && !withinMargin && z > settings.z()) {
            // An open gate closes for quality only when two checks in a row find both: the first holds the
            // interval's rows back. On the clean ML-100K demo the test found both at single checks, between two
            // that did not (the live model moves by a few thousand events per check there), in about a third of
            // the runs; a degradation that lasts is held at once and closed one interval later.
            if (open && ++strikes < CONFIRMING_CHECKS) {
                return false;
            }
            close(Reason.QUALITY, now);
            return false;
        }
        strikes = 0;
        if (!open) {
            // Open again when two judged checks in a row no longer find both the margin and z exceeded, as two in
            // a row close it: with one, a gate near the bar opened and closed from one check to the next and
            // published rows it had withheld in between. Requiring the live model back within the margin instead
            // would keep it closed, from rollback to rollback, while its window is stale (docs/gate.md, "Open").
            if (!judged || restoredClosed) {
                return false;
            }
            if (++passes < CONFIRMING_CHECKS) {
                return false;
            }
            passes = 0;
            open = true;
            reason = Reason.NONE;
            closedSince = -1;
        }
        if (!judged || (trainedSinceAcceptance >= settings.referenceEvents() && z < ACCEPT_Z)) {
            accept(live, preds);
        }
        return true;
    }

    private void accept(Predictor live, double[] preds) {
        int keep = Math.max(0, window.size() + seasoned.size() - settings.windowEvents());
        List<Sample> next = new ArrayList<>(window.size() + seasoned.size() - keep);
        double[] ref = new double[window.size() + seasoned.size() - keep];
        int j = 0;
        for (int k = 0; k < window.size(); k++) {
            if (k >= keep) {
                next.add(window.get(k));
                ref[j++] = preds[k];
            }
        }
        for (int k = 0; k < seasoned.size(); k++) {
            if (window.size() + k >= keep) {
                Sample s = seasoned.get(k);
                next.add(s);
                ref[j++] = live.predict(s.user(), s.item());
            }
        }
        window.clear();
        window.addAll(next);
        reference = ref;
        seasoned.clear();
        seasoned.addAll(candidates);
        candidates.clear();
        trainedSinceAcceptance = 0;
        validationChanged = true;
    }

    private void close(Reason why, long now) {
        strikes = 0;
        passes = 0;
        candidates.clear();
        validationChanged |= !seasoned.isEmpty();
        seasoned.clear();
        if (open) {
            open = false;
            closedSince = now;
            closures++;
        }
        reason = why;
    }

    /** After a rollback the live model is the last accepted one again: the gate opens. */
    void rolledBack() {
        if (labels != null) {
            // The stream from now on is the accepted one: under a lasting shift of labels the check starts over
            // instead of quarantining the stream for ever.
            labels.clear();
        }
        quarantine = false;
        restoredClosed = false;
        open = true;
        reason = Reason.NONE;
        closedSince = -1;
        candidates.clear();
        validationChanged |= !seasoned.isEmpty();
        seasoned.clear();
        trainedSinceAcceptance = 0;
    }

    /**
     * Restores the state a restarted task persisted: open or closed, why and since when, the closures so far, and
     * whether the arriving labels were quarantined (they stay so until the label check, its history restored by
     * {@link #restoreLabels}, finds them agreeing again).
     */
    void restore(boolean wasOpen, Reason why, long since, long closuresSoFar, boolean quarantined) {
        open = wasOpen;
        reason = why;
        closedSince = since;
        closures = closuresSoFar;
        quarantine = quarantined && labels != null;
        restoredClosed = !wasOpen && why != Reason.LABELS;
    }

    /** Whether {@link #validationState} has changed since it was last taken. */
    boolean validationChanged() {
        return validationChanged;
    }

    /**
     * The window with the reference's predictions on it, and the seasoned held-out events: format version 1, the
     * window's size, then per event user, item (modified UTF-8), label (float) and reference prediction (double),
     * then the seasoned events' count and their user, item and label. The newest of each that fit in half of
     * {@link Codecs#MAX_STATE_BYTES}.
     */
    byte[] validationState() {
        validationChanged = false;
        int keepSeasoned = newestFitting(seasoned, Codecs.MAX_STATE_BYTES / 2, 0);
        int keepWindow = newestFitting(window, Codecs.MAX_STATE_BYTES / 2, 8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeInt(keepWindow);
            for (int k = window.size() - keepWindow; k < window.size(); k++) {
                writeSample(out, window.get(k));
                out.writeDouble(reference[k]);
            }
            out.writeInt(keepSeasoned);
            for (int k = seasoned.size() - keepSeasoned; k < seasoned.size(); k++) {
                writeSample(out, seasoned.get(k));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Restores what {@link #validationState} took; the window keeps at most {@code windowEvents} of it. */
    void restoreValidation(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalStateException("unknown gate window format " + version);
            }
            int n = in.readInt();
            List<Sample> restored = new ArrayList<>(n);
            double[] ref = new double[n];
            for (int k = 0; k < n; k++) {
                restored.add(readSample(in));
                ref[k] = in.readDouble();
            }
            int drop = Math.max(0, n - settings.windowEvents());
            window.clear();
            window.addAll(restored.subList(drop, n));
            reference = Arrays.copyOfRange(ref, drop, n);
            int m = in.readInt();
            seasoned.clear();
            for (int k = 0; k < m; k++) {
                seasoned.add(readSample(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a truncated gate window in the task-state store", e);
        }
        validationChanged = false;
    }

    /** How many of the newest samples fit in {@code budget} bytes, at {@code extra} bytes each beyond the sample. */
    private static int newestFitting(List<Sample> samples, long budget, int extra) {
        long size = 0;
        for (int k = samples.size() - 1; k >= 0; k--) {
            Sample s = samples.get(k);
            size += Codecs.utfBound(s.user()) + Codecs.utfBound(s.item()) + 4 + extra;
            if (size > budget) {
                return samples.size() - 1 - k;
            }
        }
        return samples.size();
    }

    private static void writeSample(DataOutputStream out, Sample s) throws IOException {
        out.writeUTF(s.user());
        out.writeUTF(s.item());
        out.writeFloat(s.label());
    }

    private static Sample readSample(DataInputStream in) throws IOException {
        return new Sample(in.readUTF(), in.readUTF(), in.readFloat());
    }

    /** The label check's history when it is due to be saved ({@link LabelCheck#saveDue}), else null. */
    byte[] labelState() {
        return labels != null && labels.saveDue() ? labels.historyState() : null;
    }

    /** Restores the label check's history a restarted task saved. */
    void restoreLabels(byte[] state) {
        if (labels != null) {
            labels.restoreHistory(state);
        }
    }

    boolean enabled() {
        return settings.enabled();
    }

    boolean open() {
        return open;
    }

    Reason reason() {
        return reason;
    }

    long closedSince() {
        return closedSince;
    }

    long closures() {
        return closures;
    }

    double liveRmse() {
        return liveRmse;
    }

    double referenceRmse() {
        return referenceRmse;
    }

    double z() {
        return z;
    }

    /** The label check's figures, for logs. */
    String labelCheck() {
        return String.valueOf(labels);
    }

    int windowSize() {
        return window.size();
    }
}
