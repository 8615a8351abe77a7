package io.streamrec.learn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A {@link ResidualBasis}'s state as key-value entries, written a change at a time
 * ({@link ResidualBasis#drainChanges}) and read back whole ({@link ResidualBasis#restore}). Entries:
 *
 * <ul>
 *   <li>{@code meta}: the counters, and which item row each slot of the pair statistics holds;
 *   <li>{@code basis}: the latest basis ({@link ItemBasis#toBytes});
 *   <li>{@code item:<row>}: an item's id, events and slot (-1: not tracked);
 *   <li>{@code pairs:<slot>}: a slot's row of the three pair statistics;
 *   <li>{@code user:<id>}: a user's history, oldest event first, and when it was last extended (a user dropped
 *       past the bound is a deleted entry).
 * </ul>
 *
 * Only what changed is written: the users and items of the events since the last save and the slots their pairs
 * touched, not the whole state.
 */
final class ResidualBasisState {
    static final String META = "meta";
    static final String BASIS = "basis";
    static final String ITEM = "item:";
    static final String PAIRS = "pairs:";
    static final String USER = "user:";

    private static final int ITEMS = ResidualBasis.ITEMS;

    private ResidualBasisState() {}

    static void drain(ResidualBasis b, BiConsumer<String, byte[]> out) {
        ByteBuffer meta = ByteBuffer.allocate(8 * 3 + 4 * 2 + 4 * ITEMS)
                .putLong(b.events)
                .putLong(b.nextRefresh)
                .putLong(b.extensions)
                .putInt(b.trackedOnFirstSight)
                .putInt(b.itemCount());
        for (int slot : b.itemOfSlot) {
            meta.putInt(slot);
        }
        out.accept(META, meta.array());
        if (b.basisChanged && b.current != null) {
            out.accept(BASIS, b.current.toBytes());
        }
        for (int i = b.changedItems.nextSetBit(0); i >= 0; i = b.changedItems.nextSetBit(i + 1)) {
            byte[] id = b.itemId(i).getBytes(StandardCharsets.UTF_8);
            out.accept(
                    ITEM + i,
                    ByteBuffer.allocate(8 + id.length)
                            .putInt(b.itemEvents[i])
                            .putInt(b.slotOf[i])
                            .put(id)
                            .array());
        }
        for (int s = b.changedSlots.nextSetBit(0); s >= 0; s = b.changedSlots.nextSetBit(s + 1)) {
            ByteBuffer row = ByteBuffer.allocate(3 * 4 * ITEMS);
            for (float[] stat : new float[][] {b.pairCount, b.pairProduct, b.pairSquares}) {
                for (int x = 0; x < ITEMS; x++) {
                    row.putFloat(stat[s * ITEMS + x]);
                }
            }
            out.accept(PAIRS + s, row.array());
        }
        for (Map.Entry<String, ResidualBasis.History> e : b.changedUsers.entrySet()) {
            ResidualBasis.History h = e.getValue();
            int kept = Math.min(h.size, ResidualBasis.RECENT);
            ByteBuffer v =
                    ByteBuffer.allocate(8 + 4 + 8 * kept).putLong(h.extended).putInt(kept);
            for (int n = 0; n < kept; n++) {
                int at = (h.size - kept + n) % ResidualBasis.RECENT;
                v.putInt(h.items[at]).putFloat(h.residuals[at]);
            }
            out.accept(USER + e.getKey(), v.array());
        }
        for (String user : b.droppedUsers) {
            out.accept(USER + user, null);
        }
    }

    static void load(ResidualBasis b, Map<String, byte[]> entries) {
        byte[] metaBytes = entries.get(META);
        if (metaBytes == null) {
            if (!entries.isEmpty()) {
                throw new IllegalArgumentException("a residual basis's entries without their meta entry");
            }
            return;
        }
        ByteBuffer meta = ByteBuffer.wrap(metaBytes);
        b.events = meta.getLong();
        b.nextRefresh = meta.getLong();
        b.extensions = meta.getLong();
        b.trackedOnFirstSight = meta.getInt();
        int items = meta.getInt();
        for (int s = 0; s < ITEMS; s++) {
            b.itemOfSlot[s] = meta.getInt();
        }
        String[] ids = new String[items];
        int[] events = new int[items];
        int[] slots = new int[items];
        List<Map.Entry<String, byte[]>> users = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(ITEM)) {
                int row = Integer.parseInt(key.substring(ITEM.length()));
                ByteBuffer v = ByteBuffer.wrap(e.getValue());
                events[row] = v.getInt();
                slots[row] = v.getInt();
                ids[row] = new String(e.getValue(), 8, e.getValue().length - 8, StandardCharsets.UTF_8);
            } else if (key.startsWith(PAIRS)) {
                int s = Integer.parseInt(key.substring(PAIRS.length()));
                ByteBuffer v = ByteBuffer.wrap(e.getValue());
                for (float[] stat : new float[][] {b.pairCount, b.pairProduct, b.pairSquares}) {
                    for (int x = 0; x < ITEMS; x++) {
                        stat[s * ITEMS + x] = v.getFloat();
                    }
                }
            } else if (key.startsWith(USER)) {
                users.add(e);
            } else if (key.equals(BASIS)) {
                b.current = ItemBasis.fromBytes(e.getValue());
            } else if (!key.equals(META)) {
                throw new IllegalArgumentException("not an entry of a residual basis: " + key);
            }
        }
        b.ensureItems(items);
        for (int row = 0; row < items; row++) {
            if (ids[row] == null) {
                throw new IllegalArgumentException("a residual basis's entries lack item row " + row + " of " + items);
            }
            b.itemRow(ids[row]);
            b.itemEvents[row] = events[row];
            b.slotOf[row] = slots[row];
        }
        // Least recently extended first: the order the learner's map keeps, which decides whom the bound drops.
        users.sort(Comparator.comparingLong(e -> ByteBuffer.wrap(e.getValue()).getLong()));
        for (Map.Entry<String, byte[]> e : users) {
            ByteBuffer v = ByteBuffer.wrap(e.getValue());
            ResidualBasis.History h = new ResidualBasis.History();
            h.extended = v.getLong();
            h.size = v.getInt();
            for (int n = 0; n < h.size; n++) {
                h.items[n] = v.getInt();
                h.residuals[n] = v.getFloat();
            }
            b.histories.put(e.getKey().substring(USER.length()), h);
        }
    }
}
