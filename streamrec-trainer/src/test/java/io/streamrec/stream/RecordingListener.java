package io.streamrec.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link TrainerListener} that remembers what it was told, for assertions. */
final class RecordingListener implements TrainerListener {
    /** One progressive-validation call. */
    record Prequential(double label, double prediction) {}

    /** One flush call. */
    record Flush(String role, int batchSize) {}

    final AtomicLong trained = new AtomicLong();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    final List<Prequential> prequential = new CopyOnWriteArrayList<>();
    final List<Flush> flushes = new CopyOnWriteArrayList<>();
    final AtomicLong evicted = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong admitted = new AtomicLong();
    final AtomicLong heldOut = new AtomicLong();
    final AtomicLong quarantined = new AtomicLong();

    @Override
    public void eventHeldOut() {
        heldOut.incrementAndGet();
    }

    @Override
    public void eventQuarantined() {
        quarantined.incrementAndGet();
    }

    @Override
    public void eventTrained() {
        trained.incrementAndGet();
    }

    @Override
    public void eventRejected(String reason) {
        rejected.add(reason);
    }

    @Override
    public void prequential(double label, double prediction) {
        prequential.add(new Prequential(label, prediction));
    }

    @Override
    public void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) {
        flushes.add(new Flush(role, batchSize));
    }

    @Override
    public void userRowsEvicted(int rows) {
        evicted.addAndGet(rows);
    }

    @Override
    public void rowsExpired(String kind, int rows) {
        expired.addAndGet(rows);
    }

    @Override
    public void rowsAdmitted(String kind, int rows) {
        admitted.addAndGet(rows);
    }
}
