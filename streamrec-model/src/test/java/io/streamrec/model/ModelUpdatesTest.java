package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The trainer's row writer, and its reading of rows back through the contract's reader. */
class ModelUpdatesTest {

    @Test
    void shouldParseBackARowModelUpdatesWrote() {
        float[] params = {7, 0.125f, -2.5f, 1e-8f, 3.4028235e38f};
        byte[] row = ModelUpdates.row(RowKind.ITEM, "242", params, 1, 4, 12, 99L, 1732873200123L);
        ModelUpdates.ParsedRow p = ModelUpdates.parseRow("item:242", row, 4);
        assertArrayEquals(new float[] {0.125f, -2.5f, 1e-8f, 3.4028235e38f}, p.params(), 0f);
        assertEquals(12, p.version());
        assertEquals(99L, p.updates());
        String json = new String(row, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"kind\":\"item\",\"id\":\"242\",\"bias\":0.125,\"factors\":[-2.5,"), json);
    }

    @Test
    void shouldWriteRowsByHandWithExactlyTheGeneratorText() {
        java.util.Random random = new java.util.Random(7);
        float[] params = new float[33 * 40];
        for (int k = 0; k < params.length; k++) {
            int bits = random.nextInt();
            float v = Float.intBitsToFloat(bits);
            params[k] = switch (k % 4) {
                case 0 -> Float.isFinite(v) ? v : -0.0f;
                case 1 -> (float) random.nextGaussian() * 0.1f;
                case 2 -> random.nextInt(1000) / 8f;
                default -> k % 3 == 0 ? Float.MIN_VALUE : -Float.MAX_VALUE;
            };
        }
        String[] ids = {"196", "item-242", "a\"quote", "back\\slash", "tab\t", "ユーザー", "", "😀"};
        for (int r = 0; r < 40; r++) {
            String id = ids[r % ids.length];
            long updates = r % 2 == 0 ? Long.MAX_VALUE : r;
            int version = r % 3 == 0 ? Integer.MIN_VALUE : r;
            for (int width : new int[] {1, 2, 33}) {
                long eventTime = r % 2 == 0 ? 0 : Long.MAX_VALUE - r;
                byte[] fast = ModelUpdates.row(
                        RowKind.USER, id, params, r * 33, width, version, updates, Long.MIN_VALUE + r, eventTime);
                byte[] ref = ModelUpdates.rowWithGenerator(
                        RowKind.USER, id, params, r * 33, width, version, updates, Long.MIN_VALUE + r, eventTime);
                assertEquals(
                        new String(ref, java.nio.charset.StandardCharsets.UTF_8),
                        new String(fast, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        float[] odd = {1f, Float.NaN, Float.POSITIVE_INFINITY};
        assertThrows(IllegalArgumentException.class, () -> ModelUpdates.row(RowKind.ITEM, "i", odd, 0, 3, 1, 1L, 2L));
    }

    @Test
    void shouldRefuseRowsOfAnotherWidthOrMalformed() {
        byte[] row = ModelUpdates.row(RowKind.USER, "u", new float[] {1, 2, 3}, 0, 3, 1, 1L, 0L);
        assertNotNull(ModelUpdates.parseRow("user:u", row, 3));
        assertEquals(null, ModelUpdates.parseRow("user:u", row, 4));
        assertEquals(null, ModelUpdates.parseRow("user:u", row, 2));
        assertEquals(null, ModelUpdates.parseRow("user:u", "nope".getBytes(), 3));
        assertEquals(null, ModelUpdates.parseRow("user:u", null, 3));
        assertEquals(null, ModelUpdates.parseRow("user:u", ModelUpdates.mean(0, 1, 1), 3));
        // The contract's reader is strict where the old lenient parser was not: the key must agree with the row.
        assertEquals(null, ModelUpdates.parseRow("user:other", row, 3));
        assertEquals(null, ModelUpdates.parseRow("item:u", row, 3));
        assertEquals(null, ModelUpdates.parseRow("meta", row, 3));
        byte[] noVersion = "{\"kind\":\"user\",\"id\":\"u\",\"bias\":1,\"factors\":[2,3]}".getBytes();
        assertEquals(null, ModelUpdates.parseRow("user:u", noVersion, 3));
    }
}
