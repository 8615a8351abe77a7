package io.streamrec.learn;

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
}
