package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.RowUpdater;
import io.streamrec.model.ModelUpdates;
import java.util.Arrays;

/**
 * A user task's local copy of the item rows it needs: the newest published version of each item (read from
 * {@link PublishedRows}, which the global thread fills from {@code model-updates}) plus the task's own recent steps
 * that the published version cannot include yet (see {@link ItemView}). The item tasks own the items; this copy only
 * lets the user task compute its gradients against rows that are not stale by its own steps.
 *
 * <p>State: one instance per user task (input partition), in memory only; the item table is the task model's
 * {@code items()}, with one {@link ItemView} per row. Nothing is changelogged: after a restart the copy is rebuilt
 * from the published rows.
 */
final class LocalItems {
    /**
     * The epoch advances at most every {@code REFRESH_MS} between batches; the task looks for a newer published
     * version of an item (and of the other partitions' label sums) once per epoch. Published rows change at commit
     * pace (tens of milliseconds or more), so looking once per batch, thousands of times a second under a backlog,
     * mostly paid a store lookup to find the same bytes.
     */
    private static final long REFRESH_MS = 20;

    private final FactorTable items;
    private final int width;
    private final PublishedRows published;
    /** Per item row of {@link #items}: what the task saw published and its own recent steps. */
    private ItemView[] views = new ItemView[256];

    private long epoch;
    private long epochStartedAt;
    /** Scratch of {@link #stepLocally}: the stepped rows and their values before the step. */
    private int[] stepRows = new int[0];

    private float[] stepBefore = new float[0];

    LocalItems(FactorTable items, int width, PublishedRows published) {
        this.items = items;
        this.width = width;
        this.published = published;
    }

    /**
     * The item's local row: the newest published version of it in the global store plus this task's own steps
     * that the published version cannot include yet (see {@link ItemView}); for an item with no row yet, its
     * initial row when {@code create}, else -1.
     */
    int row(String item, boolean create) {
        int r = items.indexOf(item);
        ItemView view = r >= 0 ? view(r) : null;
        // Look for a newer published version once per item and epoch (epochs change between batches, at most every
        // REFRESH_MS): the slot's row is a volatile field that the global thread writes, read once per event it
        // cost a cache-line transfer between cores whenever the item had a new version.
        if (view != null && view.seenInEpoch == epoch) {
            return r;
        }
        PublishedRows.Slot source = view != null && view.source != null ? view.source : published.slot(item);
        ModelUpdates.ParsedRow row = source.row;
        if (row == null || (view != null && view.published == row)) {
            if (r < 0) {
                if (!create) {
                    return -1;
                }
                r = items.getOrCreate(item);
            }
            view = view(r);
            view.seenInEpoch = epoch;
            view.source = source;
            return r;
        }
        int w = width;
        if (r < 0) {
            r = items.put(item, row.params(), 0, null, 0, row.version(), row.updates());
            view = view(r);
        } else {
            view = view(r);
            // Keep the local optimizer state: it paces this task's own local steps on the row.
            System.arraycopy(row.params(), 0, items.params(), r * w, w);
            view.rebase(row.updatedAt(), items.params(), r * w);
        }
        view.seenInEpoch = epoch;
        view.published = row;
        view.source = source;
        return r;
    }

    /**
     * When the published version of an item row that {@link #row} last based it on was written ({@code updatedAt},
     * epoch ms); 0 when the row has no published version yet (a new item, or rows of an older trainer).
     */
    long publishedAt(int row) {
        ItemView v = row >= 0 && row < views.length ? views[row] : null;
        return v == null || v.published == null ? 0 : v.published.updatedAt();
    }

    /** The view of an item row of the task's table, created on first use. */
    ItemView view(int row) {
        if (row >= views.length) {
            views = Arrays.copyOf(views, Math.max(row + 1, views.length * 2));
        }
        ItemView v = views[row];
        if (v == null) {
            v = new ItemView();
            views[row] = v;
        }
        return v;
    }

    /**
     * Applies a mini-batch's item gradients to the local item rows with {@code updater}; remembers each step's
     * change as unsent until {@link #markSent}.
     */
    void stepLocally(RowUpdater updater, GradientAccumulator itemGrads, float lr) {
        float[] params = items.params();
        int w = width;
        int n = itemGrads.size();
        if (stepRows.length < n) {
            stepRows = new int[Math.max(n, stepRows.length * 2)];
            stepBefore = new float[stepRows.length * w];
        }
        for (int s = 0; s < n; s++) {
            stepRows[s] = itemGrads.row(s);
            System.arraycopy(params, stepRows[s] * w, stepBefore, s * w, w);
        }
        updater.apply(items, itemGrads, lr);
        for (int s = 0; s < n; s++) {
            view(stepRows[s]).addUnsent(params, stepRows[s] * w, stepBefore, s * w, w);
        }
    }

    /** The gradients of the item rows in {@code sent} went out at {@code at}: dates their local steps. */
    void markSent(GradientAccumulator sent, long at) {
        for (int s = 0; s < sent.size(); s++) {
            view(sent.row(s)).markSent(at);
        }
    }

    /**
     * Called after each flush: starts a new epoch when the current one is {@code REFRESH_MS} old, and says so (the
     * caller then refreshes what else it reads from published rows once per epoch).
     */
    boolean advanceEpoch(long now) {
        if (now - epochStartedAt >= REFRESH_MS) {
            epoch++;
            epochStartedAt = now;
            return true;
        }
        return false;
    }
}
