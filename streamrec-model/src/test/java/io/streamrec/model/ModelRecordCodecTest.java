package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelRecordCodecTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldDecodeTheContractsExampleRow() throws Exception {
        ModelUpdate update = ModelRecordCodec.decode(
                "user:196",
                utf8(
                        "{\"kind\":\"user\",\"id\":\"196\",\"bias\":0.12,"
                                + "\"factors\":[0.01,-0.5],\"version\":7,\"updates\":42,\"updatedAt\":1732873200123,\"eventTime\":881250949000}"));
        ModelRow row = assertInstanceOf(ModelUpdate.Row.class, update).row();
        assertEquals(RowKind.USER, row.kind());
        assertEquals(0.12f, row.bias());
        assertArrayEquals(new float[] {0.01f, -0.5f}, row.factors());
        assertEquals(7, row.version());
        assertEquals(1732873200123L, row.updatedAt());
    }

    @Test
    void shouldDecodeTheContractsExampleMeta() throws Exception {
        ModelMeta meta = assertInstanceOf(
                        ModelUpdate.Meta.class,
                        ModelRecordCodec.decode(
                                "meta",
                                utf8(
                                        "{\"kind\":\"meta\",\"model\":\"logistic-mf\",\"factors\":32,\"globalMean\":0.53,\"globalCount\":1000,"
                                                + "\"minLabel\":0.0,\"maxLabel\":1.0,\"hyper\":{\"lr\":0.01},\"initSnapshot\":null,\"updatedAt\":5}")))
                .meta();
        assertEquals(ModelKind.LOGISTIC_MF, meta.model());
        assertEquals(32, meta.factors());
        assertEquals(0.53, meta.globalMean());
    }

    @Test
    void shouldRoundTripRowsAndMeta() throws Exception {
        ModelRow row = new ModelRow(RowKind.ITEM, "242", -0.25f, new float[] {0.1f, 0.2f, 1e-7f}, 3, 4, 5, 6);
        assertEquals(
                row, ((ModelUpdate.Row) ModelRecordCodec.decode(row.key(), ModelRecordCodec.encodeRow(row))).row());
        ModelMeta meta = new ModelMeta(ModelKind.BIASED_MF, 3, 3.53, 1000, 1.0, 5.0, "snap.bin", 9);
        assertEquals(
                meta, ((ModelUpdate.Meta) ModelRecordCodec.decode("meta", ModelRecordCodec.encodeMeta(meta))).meta());
    }

    @Test
    void shouldDecodeTheMeanRecordsOfPartitionsAndOfTheSnapshot() throws Exception {
        assertEquals(
                new ModelUpdate.Mean("mean:3", 3, 352.5, 100.0),
                ModelRecordCodec.decode(
                        "mean:3", utf8("{\"kind\":\"mean\",\"partition\":3,\"sum\":352.5,\"count\":100.0}")));
        assertEquals(
                new ModelUpdate.Mean("mean:snapshot", -1, 10.0, 4.0),
                ModelRecordCodec.decode(
                        "mean:snapshot", utf8("{\"kind\":\"mean\",\"partition\":-1,\"sum\":10.0,\"count\":4}")));
        assertEquals(
                new ModelUpdate.Mean("mean:0", 0, 1.5, 2.0),
                ModelRecordCodec.decode(ModelKeys.mean(0), ModelRecordCodec.encodeMean(0, 1.5, 2.0)));
        assertEquals(
                new ModelUpdate.Mean("mean:snapshot", -1, 1.5, 2.0),
                ModelRecordCodec.decode(ModelKeys.mean(-1), ModelRecordCodec.encodeMean(-1, 1.5, 2.0)));
        assertEquals(new ModelUpdate.MeanTombstone("mean:1"), ModelRecordCodec.decode("mean:1", null));
    }

    @Test
    void shouldRejectMeanRecordsThatBreakTheContract() {
        String[][] cases = {
            {"mean:x", "{\"kind\":\"mean\",\"sum\":1,\"count\":1}"},
            {"mean:-2", "{\"kind\":\"mean\",\"sum\":1,\"count\":1}"},
            {"mean:1", "{\"kind\":\"meta\",\"sum\":1,\"count\":1}"},
            {"mean:1", "{\"kind\":\"mean\",\"partition\":2,\"sum\":1,\"count\":1}"},
            {"mean:1", "{\"kind\":\"mean\",\"count\":1}"},
            {"mean:1", "{\"kind\":\"mean\",\"sum\":1,\"count\":-1}"},
            {"mean:1", "not json"},
        };
        for (String[] c : cases) {
            assertThrows(
                    MalformedRecordException.class, () -> ModelRecordCodec.decode(c[0], utf8(c[1])), c[0] + " " + c[1]);
        }
    }

    @Test
    void shouldTurnNullValuesIntoTombstones() throws Exception {
        assertEquals(new ModelUpdate.RowTombstone(RowKind.ITEM, "7"), ModelRecordCodec.decode("item:7", null));
        assertInstanceOf(ModelUpdate.MetaTombstone.class, ModelRecordCodec.decode("meta", null));
    }

    @Test
    void shouldRejectRecordsThatBreakTheContract() {
        String ok = "\"bias\":0.1,\"factors\":[1],\"version\":1";
        String[][] cases = {
            {null, "{}"},
            {"movie:1", "{}"},
            {"user:1", "not json"},
            {"user:1", "[1,2]"},
            {"user:1", "{\"kind\":\"item\",\"id\":\"1\"," + ok + "}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"2\"," + ok + "}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":\"x\",\"factors\":[1],\"version\":1}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":0.1,\"factors\":[\"1\"],\"version\":1}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":0.1,\"factors\":[1e300],\"version\":1}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":0.1,\"factors\":[1],\"version\":1.5}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":0.1,\"factors\":[1],\"version\":-1}"},
            {"user:1", "{\"kind\":\"user\",\"id\":\"1\",\"bias\":0.1,\"version\":1}"},
            {"meta", "{\"kind\":\"meta\",\"model\":\"svd\",\"factors\":2,\"globalMean\":1}"},
            {"meta", "{\"kind\":\"meta\",\"model\":\"biased-mf\",\"factors\":2}"},
            {
                "meta",
                "{\"kind\":\"meta\",\"model\":\"biased-mf\",\"factors\":2,\"globalMean\":1,\"minLabel\":5,\"maxLabel\":1}"
            },
        };
        for (String[] c : cases) {
            assertThrows(
                    MalformedRecordException.class, () -> ModelRecordCodec.decode(c[0], utf8(c[1])), c[0] + " " + c[1]);
        }
    }
}
