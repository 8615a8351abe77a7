package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code gate:<partition>} record: what the writer writes, the reader reads back, and the store keeps. */
class GateStateContractTest {
    private static final GateState CLOSED =
            new GateState(1, false, "quality", 1.21, 1.08, 1732873200123L, 2, 1, 40, 99L);

    @Test
    void shouldDecodeWhatTheWriterWrites() throws MalformedRecordException {
        ModelUpdate u = ModelRecordCodec.decode(ModelKeys.gate(1), ModelRecordCodec.encodeGate(CLOSED));
        assertEquals(CLOSED, assertInstanceOf(ModelUpdate.Gate.class, u).state());
    }

    @Test
    void shouldWriteAnUnknownRmseAsNullAndReadItAsNaN() throws MalformedRecordException {
        GateState open = new GateState(0, true, "none", Double.NaN, Double.NaN, -1, 0, 0, 0, 5);
        byte[] v = ModelUpdates.gate(open);
        assertTrue(new String(v, StandardCharsets.UTF_8).contains("\"liveRmse\":null"));
        GateState back = ((ModelUpdate.Gate) ModelRecordCodec.decode("gate:0", v)).state();
        assertTrue(Double.isNaN(back.liveRmse()));
        assertTrue(back.open());
    }

    @Test
    void shouldRefuseAGateRecordThatDisagreesWithItsKey() {
        byte[] v = ModelRecordCodec.encodeGate(CLOSED);
        var e = assertThrows(MalformedRecordException.class, () -> ModelRecordCodec.decode("gate:0", v));
        assertTrue(e.getMessage().contains("partition"), e.getMessage());
        assertThrows(MalformedRecordException.class, () -> ModelRecordCodec.decode("gate:x", v));
        byte[] noOpen = "{\"kind\":\"gate\",\"partition\":1,\"reason\":\"quality\",\"since\":1}"
                .getBytes(StandardCharsets.UTF_8);
        e = assertThrows(MalformedRecordException.class, () -> ModelRecordCodec.decode("gate:1", noOpen));
        assertTrue(e.getMessage().contains("open"), e.getMessage());
    }

    @Test
    void shouldTellTheStoreWhetherEveryPartitionIsOpen() throws MalformedRecordException {
        ModelStore store = new ModelStore();
        assertTrue(store.gateOpen());
        store.apply(ModelRecordCodec.decode("gate:1", ModelRecordCodec.encodeGate(CLOSED)));
        assertFalse(store.gateOpen());
        assertEquals(CLOSED, store.gates().get(1));
        store.apply(ModelRecordCodec.decode("gate:1", null));
        assertTrue(store.gateOpen());
        assertTrue(store.gates().isEmpty());
    }
}
