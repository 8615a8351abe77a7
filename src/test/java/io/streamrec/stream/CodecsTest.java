package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ModelKind;
import io.streamrec.learn.RowKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Round trips of the internal binary formats and of the model-updates JSON rows. */
class CodecsTest {

    @Test
    void shouldRoundTripAnEventWithUnicodeIds() {
        Event e = new Event("ユーザー196", "item-😀", 4.5f, 0.25f, 881250949000L, 1732873200123L);
        assertEquals(e, Codecs.decodeEvent(Codecs.encodeEvent(e)));
    }

    @Test
    void shouldRoundTripAStoredRowFromTheMiddleOfArrays() {
        float[] params = {9, 9, 0.5f, -1.25f, 3e-7f, 9};
        float[] state = {8, 0.1f, 0.2f, 0.3f, 8};
        Codecs.StoredRow r = Codecs.decodeRow(Codecs.encodeRow(7, 42L, params, 2, 3, state, 1, 3));
        assertEquals(7, r.version());
        assertEquals(42L, r.updates());
        assertArrayEquals(new float[] {0.5f, -1.25f, 3e-7f}, r.params());
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, r.state());
    }

    @Test
    void shouldRoundTripARowWithoutOptimizerState() {
        Codecs.StoredRow r = Codecs.decodeRow(Codecs.encodeRow(1, 1L, new float[] {1, 2}, 0, 2, new float[0], 0, 0));
        assertArrayEquals(new float[] {1, 2}, r.params());
        assertEquals(0, r.state().length);
    }

    @Test
    void shouldRoundTripAGradientBatchOfSeveralItems() {
        float[] g = {0, 0, 0, 0.5f, -0.5f, Float.MIN_VALUE, 1f, 2f, 3f};
        Codecs.GradientBatchWriter w = new Codecs.GradientBatchWriter(3);
        w.add("item-ü", 3, 1234L, g, 3);
        w.add("i2", 1, 5L, g, 6);
        List<String> seen = new java.util.ArrayList<>();
        Codecs.readGradientBatch(w.toByteArray(), 3, (id, events, oldest, grad) -> {
            seen.add(id + "/" + events + "/" + oldest + "/" + java.util.Arrays.toString(grad));
        });
        assertEquals(List.of("item-ü/3/1234/[0.5, -0.5, 1.4E-45]", "i2/1/5/[1.0, 2.0, 3.0]"), seen);
    }

    @Test
    void shouldRefuseAGradientBatchOfAnotherWidth() {
        Codecs.GradientBatchWriter w = new Codecs.GradientBatchWriter(2);
        w.add("i", 1, 0L, new float[] {1f, 2f}, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Codecs.readGradientBatch(w.toByteArray(), 3, (id, events, oldest, grad) -> { }));
        assertTrue(e.getMessage().contains("application.id"), e.getMessage());
    }

    @Test
    void shouldRoundTripTaskState() {
        Codecs.TaskState t = new Codecs.TaskState(123.5, 40.25, 41L, 17L);
        assertEquals(t, Codecs.decodeTaskState(Codecs.encodeTaskState(t)));
    }

    @Test
    void shouldRefuseAnUnknownEncodingVersionWithAClearMessage() {
        byte[] b = Codecs.encodeEvent(new Event("u", "i", 1, 1, 0, 0));
        b[0] = 9;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Codecs.decodeEvent(b));
        assertTrue(e.getMessage().contains("unknown event encoding version 9"), e.getMessage());
    }

    @Test
    void shouldParseBackARowModelUpdatesWrote() {
        float[] params = {7, 0.125f, -2.5f, 1e-8f, 3.4028235e38f};
        byte[] row = ModelUpdates.row(RowKind.ITEM, "242", params, 1, 4, 12, 99L, 1732873200123L);
        ModelUpdates.ParsedRow p = ModelUpdates.parseRow(row, 4);
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
                byte[] fast = ModelUpdates.row(RowKind.USER, id, params, r * 33, width, version, updates, Long.MIN_VALUE + r);
                byte[] ref = ModelUpdates.rowWithGenerator(RowKind.USER, id, params, r * 33, width, version, updates, Long.MIN_VALUE + r);
                assertEquals(new String(ref, java.nio.charset.StandardCharsets.UTF_8),
                        new String(fast, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, 1f};
        assertArrayEquals(ModelUpdates.rowWithGenerator(RowKind.ITEM, "i", odd, 0, 3, 1, 1L, 2L),
                ModelUpdates.row(RowKind.ITEM, "i", odd, 0, 3, 1, 1L, 2L));
    }

    @Test
    void shouldRefuseRowsOfAnotherWidthOrMalformed() {
        byte[] row = ModelUpdates.row(RowKind.USER, "u", new float[] {1, 2, 3}, 0, 3, 1, 1L, 0L);
        assertEquals(null, ModelUpdates.parseRow(row, 4));
        assertEquals(null, ModelUpdates.parseRow(row, 2));
        assertEquals(null, ModelUpdates.parseRow("nope".getBytes(), 3));
        assertEquals(null, ModelUpdates.parseRow(null, 3));
        assertEquals(null, ModelUpdates.parseRow(ModelUpdates.mean(0, 1, 1), 3));
    }

    @Test
    void shouldRoundTripMeanRecordsAndWriteTheMetaFields() {
        assertArrayEquals(new double[] {17.5, 5.0}, ModelUpdates.parseMean(ModelUpdates.mean(3, 17.5, 5.0)));
        assertEquals(null, ModelUpdates.parseMean("{}".getBytes()));
        var meta = StreamFixtures.json(ModelUpdates.meta(Hyperparameters.defaults(ModelKind.BIASED_MF), 3.5, null, 5L));
        assertEquals("meta", meta.get("kind").asText());
        assertEquals("biased-mf", meta.get("model").asText());
        assertEquals(3.5, meta.get("globalMean").asDouble());
        assertTrue(meta.get("initSnapshot").isNull());
        assertTrue(meta.get("hyper").isObject());
    }
}
