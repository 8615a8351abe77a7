package io.streamrec.learn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One computation of a {@link ResidualBasis}: each basis item's {@link ResidualBasis#RANK} coordinates y_i, by
 * item id. Immutable, so a task may read it while the learner that made it computes the next.
 */
public final class ItemBasis {
    private final long version;
    private final Map<String, Integer> index;
    private final String[] ids;
    private final double[] coords;

    /**
     * @param version how many bases came before this one (0 for the first)
     * @param ids     the basis items
     * @param coords  their coordinates, {@link ResidualBasis#RANK} per item, in the order of {@code ids}
     */
    public ItemBasis(long version, String[] ids, double[] coords) {
        if (coords.length != ids.length * ResidualBasis.RANK) {
            throw new IllegalArgumentException("a basis of " + ids.length + " items needs "
                    + ids.length * ResidualBasis.RANK + " coordinates, got " + coords.length);
        }
        this.version = version;
        this.index = new HashMap<>(ids.length * 2);
        for (int b = 0; b < ids.length; b++) {
            index.put(ids[b], b);
        }
        this.ids = ids.clone();
        this.coords = coords.clone();
    }

    public long version() {
        return version;
    }

    /** Items in the basis. */
    public int size() {
        return index.size();
    }

    /** The id of the item at place {@code b}. */
    public String id(int b) {
        return ids[b];
    }

    /** The item's place in the basis, or -1 when it is not a basis item. */
    public int indexOf(String item) {
        Integer b = index.get(item);
        return b == null ? -1 : b;
    }

    /** Coordinate {@code c} of the item at place {@code b}. */
    public double coordinate(int b, int c) {
        return coords[b * ResidualBasis.RANK + c];
    }

    /** y_b . v[offset ..] for the item at place {@code b}. */
    public double dot(int b, double[] v, int offset) {
        double s = 0;
        for (int c = 0; c < ResidualBasis.RANK; c++) {
            s += coords[b * ResidualBasis.RANK + c] * v[offset + c];
        }
        return s;
    }

    /** v[offset ..] += r y_b for the item at place {@code b}. */
    public void addScaled(int b, double r, double[] v, int offset) {
        for (int c = 0; c < ResidualBasis.RANK; c++) {
            v[offset + c] += r * coords[b * ResidualBasis.RANK + c];
        }
    }

    /**
     * The basis as bytes: its version (8 bytes), the item count (4), each item id (a 4-byte length and UTF-8), then
     * the coordinates as doubles, item by item. Doubles, not floats: a learner restored from them must go on
     * exactly as the one that wrote them.
     */
    public byte[] toBytes() {
        byte[][] names = new byte[ids.length][];
        int size = 8 + 4 + 8 * coords.length;
        for (int b = 0; b < ids.length; b++) {
            names[b] = ids[b].getBytes(StandardCharsets.UTF_8);
            size += 4 + names[b].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putLong(version).putInt(ids.length);
        for (byte[] name : names) {
            out.putInt(name.length).put(name);
        }
        for (double c : coords) {
            out.putDouble(c);
        }
        return out.array();
    }

    /** The basis {@link #toBytes} wrote. */
    public static ItemBasis fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long version = in.getLong();
        int count = in.getInt();
        if (count < 0 || count > ResidualBasis.ITEMS) {
            throw new IllegalArgumentException("not an item basis: " + count + " items");
        }
        String[] ids = new String[count];
        for (int b = 0; b < count; b++) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            ids[b] = new String(name, StandardCharsets.UTF_8);
        }
        double[] coords = new double[count * ResidualBasis.RANK];
        for (int c = 0; c < coords.length; c++) {
            coords[c] = in.getDouble();
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("not an item basis: " + in.remaining() + " bytes left over");
        }
        return new ItemBasis(version, ids, coords);
    }
}
