package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.model.RowKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FactorTableTest {
    private static final int WIDTH = 3;
    private static final int STATE = 3;

    @Test
    void shouldRemoveRowsAndKeepTheOthersWithTheirValuesAndIds() {
        FactorTable t = new FactorTable(RowKind.USER, WIDTH, STATE, new RowInitializer(1, 0.1));
        for (int r = 0; r < 5; r++) {
            float v = r;
            t.put("u" + r, new float[] {v, v + 0.5f, v + 0.25f}, 0, new float[] {-v, -v, -v}, 0, 10 + r, 100 + r);
        }
        List<int[]> moves = new ArrayList<>();
        t.removeRows(new boolean[] {true, false, true, false, false}, (from, to) -> moves.add(new int[] {from, to}));

        assertEquals(3, t.size());
        assertEquals(-1, t.indexOf("u0"));
        assertEquals(-1, t.indexOf("u2"));
        String[] kept = {"u1", "u3", "u4"};
        for (int row = 0; row < kept.length; row++) {
            String id = kept[row];
            float v = Integer.parseInt(id.substring(1));
            assertEquals(row, t.indexOf(id), id);
            assertEquals(id, t.id(row));
            assertArrayEquals(
                    new float[] {v, v + 0.5f, v + 0.25f},
                    java.util.Arrays.copyOfRange(t.params(), row * WIDTH, (row + 1) * WIDTH));
            assertArrayEquals(
                    new float[] {-v, -v, -v}, java.util.Arrays.copyOfRange(t.state(), row * STATE, (row + 1) * STATE));
            assertEquals(10 + (int) v, t.version(row));
            assertEquals(100 + (long) v, t.updates(row));
        }
        assertEquals(
                List.of("1->0", "3->1", "4->2"),
                moves.stream().map(m -> m[0] + "->" + m[1]).toList());

        // A row added afterwards takes the next number, and a removed id comes back as a new row.
        assertEquals(3, t.getOrCreate("u0"));
        assertEquals(0, t.version(3));
    }
}
