package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code model-updates} contract end to end without a broker: what the trainer's writer ({@link ModelUpdates})
 * publishes, the client's reader ({@link ModelRecordCodec#decode}) reads back bit for bit, and so does the trainer's
 * restore path ({@link ModelUpdates#parseRow}), which reads published rows back with the same reader. Non-finite values are refused
 * when written, so they are never published.
 */
class ModelContractTest {
    private static final long SEED = 20261130L;
    private static final int ROWS_PER_WIDTH = 200;

    /** Plain, unicode (BMP and astral), JSON-escaped (quote, backslash, control characters), colons, slashes. */
    private static final String[] IDS = {
        "196",
        "item-242",
        "",
        "a:b:c",
        "ユーザー",
        "Ωmega-ü",
        "😀👍",
        "a\"quote",
        "back\\slash",
        "tab\tand\nnewline",
        "\u0000nul\u001f",
        "\u007f\u0080\u00ff",
        "</script>",
        "slash/ok",
        "\u2028line-sep",
        "mix \"😀\" \\ \t",
    };

    @ParameterizedTest(name = "{0} factors")
    @ValueSource(ints = {1, 2, 32, 1024})
    void shouldDecodeEveryRowTheTrainerWritesBitForBit(int factors) throws Exception {
        Random random = new Random(SEED + factors);
        int width = factors + 1;
        for (int r = 0; r < ROWS_PER_WIDTH; r++) {
            RowKind kind = RowKind.values()[r % 2];
            String id = r < IDS.length ? IDS[r] : randomId(random);
            float[] params = new float[3 + width];
            for (int j = 0; j < params.length; j++) {
                params[j] = randomFinite(random, r + j);
            }
            int p = r % 3;
            long version = r % 7 == 0 ? Integer.MAX_VALUE : random.nextInt(1 << 20);
            long updates = r % 5 == 0 ? Long.MAX_VALUE : random.nextInt(1 << 20);
            long updatedAt = 1_732_873_200_123L + r;
            long eventTime = r % 2 == 0 ? 0 : 881_250_949_000L + r;

            byte[] value = ModelUpdates.row(kind, id, params, p, width, version, updates, updatedAt, eventTime);
            String key = ModelKeys.row(kind, id);
            ModelRow row = assertInstanceOf(
                            ModelUpdate.Row.class, ModelRecordCodec.decode(key, value), () -> key + " = " + utf8(value))
                    .row();

            String where = key + " width " + width;
            assertEquals(kind, row.kind(), where);
            assertEquals(id, row.id(), where);
            assertEquals(Float.floatToRawIntBits(params[p]), Float.floatToRawIntBits(row.bias()), where + " bias");
            assertEquals(factors, row.factors().length, where);
            for (int f = 0; f < factors; f++) {
                assertEquals(
                        Float.floatToRawIntBits(params[p + 1 + f]),
                        Float.floatToRawIntBits(row.factors()[f]),
                        where + " factor " + f + ": wrote " + params[p + 1 + f] + ", read " + row.factors()[f]);
            }
            assertEquals(version, row.version(), where);
            assertEquals(updates, row.updates(), where);
            assertEquals(updatedAt, row.updatedAt(), where);
            assertEquals(eventTime, row.eventTime(), where);

            // The client's own encoder is the same writer: the same bytes.
            assertArrayEquals(value, ModelRecordCodec.encodeRow(row), where);

            // The trainer's restore path reads the same bits.
            ModelUpdates.ParsedRow parsed = ModelUpdates.parseRow(key, value, width);
            assertNotNull(parsed, where);
            for (int j = 0; j < width; j++) {
                assertEquals(
                        Float.floatToRawIntBits(params[p + j]),
                        Float.floatToRawIntBits(parsed.params()[j]),
                        where + " param " + j);
            }
        }
    }

    @Test
    void shouldDecodeTheMeanRecordsTheTrainerWritesBitForBit() throws Exception {
        Random random = new Random(SEED);
        for (int k = 0; k < 500; k++) {
            int partition = k % 11 - 1;
            double sum = k % 3 == 0 ? random.nextGaussian() * 1e9 : Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(sum)) {
                sum = -0.0;
            }
            double count = k % 4 == 0 ? random.nextInt(1 << 30) : Math.abs(random.nextDouble() * 1e12);
            ModelUpdate.Mean mean = assertInstanceOf(
                    ModelUpdate.Mean.class,
                    ModelRecordCodec.decode(ModelKeys.mean(partition), ModelUpdates.mean(partition, sum, count)));
            assertEquals(partition, mean.partition());
            assertEquals(Double.doubleToRawLongBits(sum), Double.doubleToRawLongBits(mean.sum()), "sum " + sum);
            assertEquals(Double.doubleToRawLongBits(count), Double.doubleToRawLongBits(mean.count()), "count " + count);
            assertArrayEquals(
                    new double[] {sum, count}, ModelUpdates.parseMean(ModelUpdates.mean(partition, sum, count)));
        }
    }

    @Test
    void shouldDecodeTheMetaRecordTheTrainerWrites() throws Exception {
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put("optimizer", "adagrad(eps=1e-8)");
        hyper.put("seed", 42L);
        ModelMeta written = new ModelMeta(ModelKind.LOGISTIC_MF, 1024, 0.125, 0, 0.0, 1.0, "snap 😀 \"1\".bin", 5L);
        ModelMeta read = assertInstanceOf(
                        ModelUpdate.Meta.class,
                        ModelRecordCodec.decode(ModelKeys.META, ModelUpdates.meta(written, hyper)))
                .meta();
        assertEquals(written, read);
        assertTrue(utf8(ModelUpdates.meta(written, hyper))
                .contains("\"hyper\":{\"optimizer\":\"adagrad(eps=1e-8)\",\"seed\":42}"));
    }

    @Test
    void shouldRefuseNonFiniteValuesWhenWriting() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 1, 1024}) {
                float[] params = new float[1025];
                params[at] = bad;
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> ModelUpdates.row(RowKind.USER, "u😀", params, 0, params.length, 1, 1, 1));
                assertTrue(
                        e.getMessage().contains("user:u😀")
                                && e.getMessage().contains(at == 0 ? "bias" : "factor " + (at - 1)),
                        e.getMessage());
                assertTrue(!ModelUpdates.isFinite(params, 0, params.length));
            }
            assertThrows(IllegalArgumentException.class, () -> ModelUpdates.mean(0, bad, 1));
            assertThrows(IllegalArgumentException.class, () -> ModelUpdates.mean(0, 1, bad));
        }
        assertThrows(IllegalArgumentException.class, () -> ModelUpdates.mean(0, 1, -1));
        // Values outside the written part of the array do not matter.
        float[] params = {Float.NaN, 1, 2, Float.NaN};
        assertTrue(ModelUpdates.isFinite(params, 1, 2));
        assertNotNull(ModelUpdates.row(RowKind.ITEM, "i", params, 1, 2, 1, 1, 1));
    }

    /** Finite floats of every sort: random bit patterns (subnormals included), signed zeros, extremes, small values. */
    private static float randomFinite(Random random, int k) {
        switch (k % 6) {
            case 0: {
                float v = Float.intBitsToFloat(random.nextInt());
                return Float.isFinite(v) ? v : -0.0f;
            }
            case 1:
                return (float) random.nextGaussian() * 0.1f;
            case 2:
                return Float.intBitsToFloat(random.nextInt(0x0080_0000)) * (random.nextBoolean() ? 1 : -1);
            case 3:
                return new float[] {0.0f, -0.0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL}
                        [random.nextInt(6)];
            case 4:
                return random.nextInt(1000) / 8f;
            default:
                return (float) (random.nextDouble() * Math.pow(10, random.nextInt(60) - 30));
        }
    }

    /** A random id of 0-12 code points drawn from ASCII (escapes included), Latin-1, the BMP and astral planes. */
    private static String randomId(Random random) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(13);
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x780);
                case 2 -> 0x800 + random.nextInt(0xD000);
                case 3 -> 0x1F300 + random.nextInt(0x300);
                default -> "\"\\:/ \t".charAt(random.nextInt(6));
            };
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    private static String utf8(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
