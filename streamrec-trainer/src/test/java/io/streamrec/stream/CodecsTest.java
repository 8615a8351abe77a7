package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Round trips of the internal binary formats and of the model-updates JSON rows. */
class CodecsTest {

    @Test
    void shouldRoundTripAnEventWithUnicodeIds() {
        Event e = new Event("ユーザー196", "item-😀", 4.5f, 0.25f, 881250949000L, 1732873200123L);
        assertEquals(e, Codecs.decodeEvent(Codecs.encodeEvent(e)));
    }

    /** A pending residual keeps its user and the record's value byte for byte, which decodes as it was sent. */
    @Test
    void shouldRoundTripAKeyedResidualWithUnicodeIds() {
        byte[] value = Codecs.encodeResidual("item-😀", -0.123456789);
        Codecs.KeyedResidual r = Codecs.decodeKeyedResidual(Codecs.encodeKeyedResidual("ユーザー196", value));
        assertEquals("ユーザー196", r.user());
        assertArrayEquals(value, r.residual());
        assertEquals(new Codecs.Residual("item-😀", -0.123456789), Codecs.decodeResidual(r.residual()));
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
    void shouldKeepWhenARowWasSavedAndReadItFromTheHeaderAlone() {
        byte[] row = Codecs.encodeRow(3, 5L, new float[] {1, 2}, 0, 2, new float[] {7}, 0, 1, 1_704_067_200_123L);
        assertEquals(1_704_067_200_123L, Codecs.rowSavedAt(row));
        Codecs.StoredRow r = Codecs.decodeRow(row);
        assertEquals(1_704_067_200_123L, r.savedAt());
        assertEquals(3, r.version());
        assertArrayEquals(new float[] {7}, r.state());
    }

    @Test
    void shouldStillReadRowsStoredBeforeTheSavedAtTimeExisted() {
        // The V1 layout: format 1, version, updates, width, state size, floats.
        java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(1 + 4 + 8 + 4 + 4 + 4 * 3);
        v1.put((byte) 1)
                .putInt(9)
                .putLong(11L)
                .putInt(2)
                .putInt(1)
                .putFloat(0.5f)
                .putFloat(-1f)
                .putFloat(2f);
        Codecs.StoredRow r = Codecs.decodeRow(v1.array());
        assertEquals(9, r.version());
        assertEquals(11L, r.updates());
        assertArrayEquals(new float[] {0.5f, -1f}, r.params());
        assertArrayEquals(new float[] {2f}, r.state());
        assertEquals(0, r.savedAt(), "unknown");
        assertEquals(0, Codecs.rowSavedAt(v1.array()));
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
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Codecs.readGradientBatch(w.toByteArray(), 3, (id, events, oldest, grad) -> {}));
        assertTrue(e.getMessage().contains("application.id"), e.getMessage());
    }

    @Test
    void shouldRoundTripTaskState() {
        Codecs.TaskState t = new Codecs.TaskState(123.5, 40.25, 41L, 17L, 9L);
        assertEquals(t, Codecs.decodeTaskState(Codecs.encodeTaskState(t)));
        // A state written before the pending-log watermark existed: 32 bytes, read with the watermark 0.
        byte[] old = java.util.Arrays.copyOf(Codecs.encodeTaskState(t), 32);
        assertEquals(new Codecs.TaskState(123.5, 40.25, 41L, 17L, 0L), Codecs.decodeTaskState(old));
    }

    @Test
    void shouldRefuseAnUnknownEncodingVersionWithAClearMessage() {
        byte[] b = Codecs.encodeEvent(new Event("u", "i", 1, 1, 0, 0));
        b[0] = 9;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Codecs.decodeEvent(b));
        assertTrue(e.getMessage().contains("unknown event encoding version 9"), e.getMessage());
    }

    @Test
    void shouldRoundTripMeanRecordsAndWriteTheMetaFields() {
        assertArrayEquals(new double[] {17.5, 5.0}, ModelUpdates.parseMean(ModelUpdates.mean(3, 17.5, 5.0)));
        assertEquals(null, ModelUpdates.parseMean("{}".getBytes()));
        var meta = StreamFixtures.json(MetaRecord.of(Hyperparameters.defaults(ModelKind.BIASED_MF), 3.5, null, 5L));
        assertEquals("meta", meta.get("kind").asText());
        assertEquals("biased-mf", meta.get("model").asText());
        assertEquals(3.5, meta.get("globalMean").asDouble());
        assertTrue(meta.get("initSnapshot").isNull());
        assertTrue(meta.get("hyper").isObject());
    }
}
