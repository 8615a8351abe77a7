package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GradientAccumulator;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends a user task's item gradients of one flush interval, summed per item, to the item tasks that own the items:
 * one packed record per destination partition and flush (more when it would pass {@link PendingLog#RECORD_BYTES}:
 * the item task keeps each record whole in its pending log; an item is in one record only, so it still takes one
 * step per flush), on {@link StreamTopology#ITEM_GRADIENTS_SINK}, keyed by the
 * destination partition (an {@code Integer}), its value a {@link Codecs.GradientBatchWriter} batch.
 *
 * <p>State: one instance per user task; the writers are reused scratch, empty between flushes.
 */
final class GradientRouter {
    private final ProcessorContext<Object, byte[]> context;
    private final FactorTable items;
    private final LocalItems local;
    private final int partitions;
    private final int width;
    /** One packed gradient record per item partition and flush; reused across flushes. */
    private final Codecs.GradientBatchWriter[] writers;

    GradientRouter(
            ProcessorContext<Object, byte[]> context, FactorTable items, LocalItems local, int partitions, int width) {
        this.context = context;
        this.items = items;
        this.local = local;
        this.partitions = partitions;
        this.width = width;
        this.writers = new Codecs.GradientBatchWriter[partitions];
    }

    /** Forwards {@code itemGrads}, the gradients of the item rows of {@link #items}, stamped {@code now}. */
    void send(GradientAccumulator itemGrads, long now) {
        int w = width;
        Codecs.GradientBatchWriter[] out = writers;
        for (int s = 0; s < itemGrads.size(); s++) {
            String item = items.id(itemGrads.row(s));
            int dest = local.view(itemGrads.row(s)).slot(item, partitions);
            if (out[dest] == null) {
                out[dest] = new Codecs.GradientBatchWriter(w);
            }
            out[dest].add(item, itemGrads.count(s), itemGrads.oldestEventTime(s), itemGrads.gradients(), s * w);
            if (out[dest].size() >= PendingLog.RECORD_BYTES) {
                forward(dest, now);
            }
        }
        for (int dest = 0; dest < partitions; dest++) {
            if (out[dest] != null && !out[dest].isEmpty()) {
                forward(dest, now);
            }
        }
    }

    private void forward(int dest, long now) {
        context.forward(new Record<>(dest, writers[dest].toByteArray(), now), StreamTopology.ITEM_GRADIENTS_SINK);
        writers[dest].reset();
    }
}
