package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link RowIds} against a {@code HashMap} and a list, the structures it replaces. */
class RowIdsTest {

    @Test
    void shouldFindEveryIdItHoldsAndNoOtherThroughGrowthAndRemovals() {
        RowIds ids = new RowIds();
        List<String> reference = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 4; round++) {
            for (int k = 0; k < 5000; k++) {
                String id = randomId(rnd);
                if (reference.contains(id)) {
                    continue;
                }
                assertEquals(-1, ids.indexOf(id), id);
                assertEquals(reference.size(), ids.add(id));
                reference.add(id);
            }
            boolean[] remove = new boolean[reference.size()];
            List<String> kept = new ArrayList<>();
            for (int r = 0; r < remove.length; r++) {
                remove[r] = rnd.nextInt(3) == 0;
                if (!remove[r]) {
                    kept.add(reference.get(r));
                }
            }
            List<String> removed = new ArrayList<>(reference);
            removed.removeAll(kept);
            ids.removeRows(remove);
            reference = kept;

            assertEquals(reference.size(), ids.size());
            Map<String, Integer> index = new HashMap<>();
            for (int r = 0; r < reference.size(); r++) {
                index.put(reference.get(r), r);
                assertEquals(reference.get(r), ids.id(r), "row " + r);
            }
            for (Map.Entry<String, Integer> e : index.entrySet()) {
                assertEquals(e.getValue(), ids.indexOf(e.getKey()), e.getKey());
            }
            for (String gone : removed) {
                assertEquals(-1, ids.indexOf(gone), gone);
            }
        }
    }

    @Test
    void shouldKeepIdsThatShareAPrefixOrAHashApart() {
        RowIds ids = new RowIds();
        // "Aa" and "BB" have the same String.hashCode(); "1", "12" and "" share prefixes.
        String[] all = {"Aa", "BB", "AaBB", "BBAa", "1", "12", "", "\u0000", "\uD800", "?", "é", "e\u0301", "☃", "😀"};
        for (int r = 0; r < all.length; r++) {
            assertEquals(r, ids.add(all[r]));
        }
        for (int r = 0; r < all.length; r++) {
            assertEquals(r, ids.indexOf(all[r]), "\"" + all[r] + "\"");
            assertEquals(all[r], ids.id(r));
        }
        assertEquals(-1, ids.indexOf("A"));
        assertEquals(-1, ids.indexOf("123"));
        assertEquals(-1, ids.indexOf("\uDC00"));
    }

    private static String randomId(SplittableRandom rnd) {
        int kind = rnd.nextInt(4);
        if (kind == 0) {
            return Integer.toString(rnd.nextInt(100_000));
        }
        StringBuilder b = new StringBuilder();
        int n = rnd.nextInt(1, 12);
        for (int k = 0; k < n; k++) {
            b.append(kind == 1 ? (char) rnd.nextInt('a', 'z' + 1) : (char) rnd.nextInt(0, 0x10000));
        }
        return b.toString();
    }
}
