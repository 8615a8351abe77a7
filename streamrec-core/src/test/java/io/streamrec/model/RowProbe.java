package io.streamrec.model;

import java.util.List;

/** Reads rows back out of a {@link ModelStore} for reference computations in tests. */
record RowProbe(ModelStore store) {
    static RowProbe of(ModelStore store) {
        return new RowProbe(store);
    }

    float[] user(String id) {
        return store.factorsOf(RowKind.USER, id);
    }

    float[] item(String id) {
        return store.factorsOf(RowKind.ITEM, id);
    }

    float userBias(String id) {
        return store.biasOf(RowKind.USER, id);
    }

    float itemBias(String id) {
        return store.biasOf(RowKind.ITEM, id);
    }

    List<String> itemIds() {
        return store.ids(RowKind.ITEM);
    }
}
