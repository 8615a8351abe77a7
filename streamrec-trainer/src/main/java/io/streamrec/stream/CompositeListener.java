package io.streamrec.stream;

import java.util.List;

/** Tells several listeners the same things, in order. */
public final class CompositeListener implements TrainerListener {
    private final List<TrainerListener> listeners;

    public CompositeListener(TrainerListener... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public void eventTrained() {
        listeners.forEach(TrainerListener::eventTrained);
    }

    @Override
    public void eventRejected(String reason) {
        listeners.forEach(l -> l.eventRejected(reason));
    }

    @Override
    public void prequential(double label, double prediction) {
        for (TrainerListener l : listeners) {
            l.prequential(label, prediction);
        }
    }

    @Override
    public void ranked(int cutoff, boolean hit) {
        for (TrainerListener l : listeners) {
            l.ranked(cutoff, hit);
        }
    }

    @Override
    public void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) {
        listeners.forEach(l -> l.flushed(role, batchSize, durationNanos, meanLoss, learningRate));
    }

    @Override
    public void rowsPublished(String kind, int count, long oldestIngestTime) {
        listeners.forEach(l -> l.rowsPublished(kind, count, oldestIngestTime));
    }

    @Override
    public void modelRows(String kind, int partition, long rows) {
        listeners.forEach(l -> l.modelRows(kind, partition, rows));
    }

    @Override
    public void taskClosed(String kind, int partition) {
        listeners.forEach(l -> l.taskClosed(kind, partition));
    }

    @Override
    public void modelVersion(String kind, int partition, long rowSteps) {
        listeners.forEach(l -> l.modelVersion(kind, partition, rowSteps));
    }

    @Override
    public void userRowsEvicted(int rows) {
        listeners.forEach(l -> l.userRowsEvicted(rows));
    }

    @Override
    public void itemStaleness(long totalAgeMs, int events) {
        listeners.forEach(l -> l.itemStaleness(totalAgeMs, events));
    }

    @Override
    public void rowsExpired(String kind, int rows) {
        listeners.forEach(l -> l.rowsExpired(kind, rows));
    }

    @Override
    public void eventHeldOut() {
        listeners.forEach(TrainerListener::eventHeldOut);
    }

    @Override
    public void eventQuarantined() {
        listeners.forEach(TrainerListener::eventQuarantined);
    }

    @Override
    public void gateChecked(int partition, boolean open, double liveRmse, double referenceRmse) {
        listeners.forEach(l -> l.gateChecked(partition, open, liveRmse, referenceRmse));
    }

    @Override
    public void gateClosed(int partition, String reason) {
        listeners.forEach(l -> l.gateClosed(partition, reason));
    }

    @Override
    public void gateRolledBack(String role, int partition) {
        listeners.forEach(l -> l.gateRolledBack(role, partition));
    }

    @Override
    public void rowsAdmitted(String kind, int rows) {
        listeners.forEach(l -> l.rowsAdmitted(kind, rows));
    }
}
