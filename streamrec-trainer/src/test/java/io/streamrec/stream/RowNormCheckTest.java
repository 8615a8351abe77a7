package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class RowNormCheckTest {
    private static float[] row(float... values) {
        return values;
    }

    @Test
    void shouldJudgeAFreshModelAgainstTheLabelRange() {
        RowNormCheck c = new RowNormCheck(10, 1, 5);
        // sqrt(5 - 1) = 2: two rows of norm 2 span the labels; ten times that is the bound.
        assertEquals(20, c.bound(), 1e-12);
        assertFalse(c.exploded(row(0.5f, 3f, 4f, 0f), 0, 4), "norm about 5");
        assertTrue(c.exploded(row(0.5f, 12f, 16f, 0f), 0, 4), "norm about 20.01");
        // The bias counts: a bias of 25 alone is an exploded row.
        assertTrue(c.exploded(row(25f, 0f, 0f), 0, 3));
    }

    @Test
    void shouldRaiseTheBoundWithTheAcceptedRowsOnly() {
        RowNormCheck c = new RowNormCheck(10, 0, 1);
        assertEquals(10, c.bound(), 1e-12);
        float[] table = row(0f, 3f, 4f, /* second row */ 0f, 0.3f, 0.4f);
        c.accepted(table, 3, 3);
        assertEquals(10, c.bound(), 1e-12, "a row smaller than the floor leaves the bound");
        c.accepted(table, 0, 3);
        assertEquals(50, c.bound(), 1e-12, "ten times the largest accepted norm, 5");
        assertFalse(c.exploded(row(0f, 30f, 40f), 0, 3));
        assertTrue(c.exploded(row(0f, 30f, 40.1f), 0, 3));
        c.accepted(row(Float.NaN, 1f, 1f), 0, 3);
        assertEquals(50, c.bound(), 1e-12, "a non-finite row is never accepted");
    }

    @Test
    void shouldKeepTheAcceptedBoundAcrossARestart() {
        MockProcessorContext<Object, byte[]> context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("task-state"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        RowNormCheck before = new RowNormCheck(10, 1, 5);
        before.restoreFrom(store);
        before.saveTo(store);
        assertEquals(null, store.get(RowNormCheck.STATE_KEY), "nothing accepted, nothing saved");
        // A model whose accepted rows are far larger than the label range's floor (norm 2 here).
        before.accepted(row(0f, 30f, 40f), 0, 3);
        before.saveTo(store);

        RowNormCheck restarted = new RowNormCheck(10, 1, 5);
        assertTrue(restarted.exploded(row(0f, 60f, 80f), 0, 3), "without the saved state: judged on the floor");
        restarted.restoreFrom(store);
        assertEquals(500, restarted.bound(), 1e-9, "ten times the accepted norm saved before the restart");
        assertFalse(restarted.exploded(row(0f, 60f, 80f), 0, 3), "its own accepted rows' size is no explosion");
        assertTrue(restarted.exploded(row(0f, 300f, 401f), 0, 3));
    }

    @Test
    void shouldRefuseAFactorThatCannotMeanExplosion() {
        assertThrows(IllegalArgumentException.class, () -> new RowNormCheck(1, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new RowNormCheck(Double.NaN, 1, 5));
    }
}
